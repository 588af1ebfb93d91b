using System.Globalization;
using System.Text.RegularExpressions;

namespace GenRay.Tutorial.Tests;

/// <summary>What the tutorial printed, cell by cell, read strictly in order: any line out of place is a <see cref="FormatException"/>.</summary>
public sealed partial record TutorialOutput(
    IReadOnlyList<(int Value, double Timestamp)> Results,
    IReadOnlyList<string> ResultsPrinted,
    IReadOnlyList<string> ResultLines,
    double ParallelWallTime,
    IReadOnlyList<string> Matrix,
    string Shape,
    IReadOnlyList<string> Ids,
    (int Result, double WallTime) Linear,
    (int Result, double WallTime) Tree,
    (int Result, double WallTime) SlowList,
    (int Result, double WallTime) FastList,
    int AdderBefore,
    int AdderAfter,
    IReadOnlyList<(long Result, double Seconds, int Actors)> Adders,
    int CounterBefore,
    int CounterAfter,
    IReadOnlyList<IReadOnlyList<string>> MessageReads,
    IReadOnlyList<string> MessagesLeft)
{
    public static TutorialOutput Parse(string output)
    {
        var lines = new LineReader(output);

        // In [2] and [3]
        var resultsLine = lines.Take(ResultListLine(), "the list of four (value, timestamp) pairs").Value;
        var results = PairPattern().Matches(resultsLine).Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Number(m.Groups[2].Value))).ToList();
        var parallelWall = lines.WallTime();
        var resultLines = Enumerable.Range(0, results.Count).Select(i => lines.Take(PairLine(), $"pair {i} on a line of its own").Value).ToList();

        // In [4], [5], [6]
        var matrix = new List<string> { lines.Take(MatrixFirstRow(), "the first row of numpy's array summary").Value };
        matrix.Add(lines.Take(MatrixRow(), "the second row").Value);
        matrix.Add(lines.Take(MatrixRow(), "the third row").Value);
        matrix.Add(lines.Take(MatrixEllipsis(), "the '...' between the first and last rows").Value);
        matrix.Add(lines.Take(MatrixRow(), "the third-last row").Value);
        matrix.Add(lines.Take(MatrixRow(), "the second-last row").Value);
        matrix.Add(lines.Take(MatrixLastRow(), "the last row, closing the array").Value);
        var shape = lines.Take(ShapeLine(), "the shape").Value;
        var ids = lines.Take(IdsLine(), "the three ObjectRef ids").Groups.Values.Skip(1).Select(g => g.Value).ToList();

        // In [20], [21], [26], [27]
        var linear = (lines.Int("the linear aggregation's result"), lines.WallTime());
        var tree = (lines.Int("the tree aggregation's result"), lines.WallTime());
        var slowList = (lines.Int("the slow list reduction's result"), lines.WallTime());
        var fastList = (lines.Int("the fast list reduction's result"), lines.WallTime());

        // In [46], [93], [28]
        var adderBefore = lines.Int("the new Adder's sum");
        var adderAfter = lines.Int("the Adder's sum after ten adds");
        var adders = Enumerable.Range(0, 4).Select(i =>
        {
            var m = lines.Take(AddersLine(), $"the result of the actors run {i + 1} of 4");
            return (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Number(m.Groups[2].Value), int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        }).ToList();
        var counterBefore = lines.Int("the new Counter's value");
        var counterAfter = lines.Int("the Counter's value after four increments");

        // In [21], actor handles
        var reads = new List<IReadOnlyList<string>>();
        while (lines.Peek() == "New MSG:")
        {
            lines.Take(NewMessagesLine(), "'New MSG:'");
            reads.Add(Messages(lines.Take(MessageListLine(), "the messages read").Groups[1].Value));
        }
        var left = Messages(lines.Take(LeftLine(), "the messages left after the last read").Groups[1].Value);
        lines.End();

        return new TutorialOutput(results, [.. PairPattern().Matches(resultsLine).Select(m => m.Value)], resultLines, parallelWall,
            matrix, shape, ids, linear, tree, slowList, fastList, adderBefore, adderAfter, adders, counterBefore, counterAfter, reads, left);
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static List<string> Messages(string list) => [.. QuotedPattern().Matches(list).Select(m => m.Groups[1].Value)];

    private const string Float = @"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?";
    private const string Cell = @"-?\d+\.\d+";
    private const string Row = $@"\[ *{Cell}, +{Cell}, +{Cell}, \.\.\., +{Cell}, +{Cell}, +{Cell}\]";

    [GeneratedRegex($@"^\[\((\d+), ({Float})\)(?:, \((\d+), ({Float})\))*\]$")]
    private static partial Regex ResultListLine();

    [GeneratedRegex($@"\((\d+), ({Float})\)")]
    private static partial Regex PairPattern();

    [GeneratedRegex($@"^\(\d+, {Float}\)$")]
    private static partial Regex PairLine();

    [GeneratedRegex($@"^Wall time: ({Float}) s$")]
    internal static partial Regex WallTimeLine();

    [GeneratedRegex($@"^array\(\[{Row},$")]
    private static partial Regex MatrixFirstRow();

    [GeneratedRegex($@"^       {Row},$")]
    private static partial Regex MatrixRow();

    [GeneratedRegex(@"^       \.\.\.,$")]
    private static partial Regex MatrixEllipsis();

    [GeneratedRegex($@"^       {Row}\]\)$")]
    private static partial Regex MatrixLastRow();

    [GeneratedRegex(@"^\(\d+, \d+\)$")]
    private static partial Regex ShapeLine();

    [GeneratedRegex(@"^\(ObjectRef\(([0-9a-f]{40})\), ObjectRef\(([0-9a-f]{40})\), ObjectRef\(([0-9a-f]{40})\)\)$")]
    private static partial Regex IdsLine();

    [GeneratedRegex(@"^-?\d+$")]
    internal static partial Regex IntLine();

    [GeneratedRegex($@"^result=(\d+) in ({Float}) sec \[actors=(\d+)\]$")]
    private static partial Regex AddersLine();

    [GeneratedRegex(@"^New MSG:$")]
    private static partial Regex NewMessagesLine();

    [GeneratedRegex(@"^ (\[(?:'[^']*'(?:, '[^']*')*)?\])$")]
    private static partial Regex MessageListLine();

    [GeneratedRegex(@"^Left after the last read: (\[(?:'[^']*'(?:, '[^']*')*)?\])$")]
    private static partial Regex LeftLine();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex QuotedPattern();

    /// <summary>Reads the output line by line; every line must be the one expected next.</summary>
    private sealed class LineReader(string output)
    {
        private readonly string[] _lines = output.TrimEnd('\n').Split('\n');
        private int _next;

        public string? Peek() => _next < _lines.Length ? _lines[_next] : null;

        public Match Take(Regex pattern, string what)
        {
            var line = Peek() ?? throw new FormatException($"The output ended where {what} should be (after line {_next}).");
            var match = pattern.Match(line);
            if (!match.Success)
            {
                throw new FormatException($"Line {_next + 1} should be {what}, but is: {line}");
            }
            _next++;
            return match;
        }

        public int Int(string what) => int.Parse(Take(IntLine(), what).Value, CultureInfo.InvariantCulture);

        public double WallTime() => Number(Take(WallTimeLine(), "'Wall time: <seconds> s'").Groups[1].Value);

        public void End()
        {
            if (Peek() is { } extra)
            {
                throw new FormatException($"Line {_next + 1} follows the last cell: {extra}");
            }
        }
    }
}
