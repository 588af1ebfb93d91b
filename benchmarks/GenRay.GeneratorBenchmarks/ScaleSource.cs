using System.Text;

namespace GenRay.GeneratorBenchmarks;

/// <summary>
/// A large user project, as source files: 1,000 [Remote] static methods in 50 partial classes and 200 actor
/// classes, with the parameter and return shapes real code has (values, arrays, defaults, async, void, and a
/// record of the user's own per class, which gets a generated serializer).
/// Shared by the benchmark program and the generator tests' correctness check at the same scale.
/// </summary>
public static class ScaleSource
{
    public const int TaskClasses = 50;
    public const int MethodsPerClass = 20;
    public const int Actors = 200;
    public const int ActorsPerFile = 10;

    public static int TaskMethods => TaskClasses * MethodsPerClass;

    /// <summary>
    /// The generated files expected: one per task method, one Remote class per task class, one per actor, and one
    /// serializer per user record.
    /// </summary>
    public static int ExpectedGeneratedFiles => TaskMethods + TaskClasses + Actors + TaskClasses;

    /// <summary>(path, text) of every file.</summary>
    public static IReadOnlyList<(string Path, string Text)> Files()
    {
        var files = new List<(string, string)>();
        for (var c = 0; c < TaskClasses; c++)
        {
            files.Add(($"Tasks{c}.cs", TaskClass(c)));
        }
        for (var f = 0; f < Actors / ActorsPerFile; f++)
        {
            files.Add(($"Actors{f}.cs", ActorFile(f)));
        }
        return files;
    }

    /// <summary>The one-line edit: a changed method body in the first task file, as a keystroke would make.</summary>
    public static string EditBody(string tasks0Text, int generation) =>
        tasks0Text.Replace("public static int M0(int x, int y = 0) => x + y", $"public static int M0(int x, int y = 0) => x + y + {generation}");

    /// <summary>
    /// A one-line edit to a declaration: the default value of a [Remote] method's parameter in the first task file.
    /// The project then declares something else, so every [Remote] declaration is parsed again (and M0's stub
    /// regenerated): the generator's cost when its parse cache cannot help.
    /// </summary>
    public static string EditSignature(string tasks0Text, int generation) =>
        tasks0Text.Replace("public static int M0(int x, int y = 0) => x + y", $"public static int M0(int x, int y = {generation}) => x + y");

    private static string TaskClass(int c)
    {
        var text = new StringBuilder();
        text.AppendLine("using System.Collections.Generic;");
        text.AppendLine("using System.Threading.Tasks;");
        text.AppendLine("using GenRay;");
        text.AppendLine();
        text.AppendLine($"namespace Scale.Tasks{c % 5};");
        text.AppendLine();
        text.AppendLine($"public sealed record Item{c}(string Name, int Count, double[] Values);");
        text.AppendLine();
        text.AppendLine($"public static partial class Tasks{c}");
        text.AppendLine("{");
        for (var m = 0; m < MethodsPerClass; m++)
        {
            text.AppendLine("    [Remote]");
            text.AppendLine((m % 5) switch
            {
                0 => $"    public static int M{m}(int x, int y = 0) => x + y;",
                1 => $"    public static double[] M{m}(double[] values, string? label = null) => values;",
                2 => $"    public static async Task<string> M{m}(string text) {{ await Task.Yield(); return text; }}",
                3 => $"    public static Item{c} M{m}(Item{c} item, List<int> items) => item with {{ Count = items.Count }};",
                _ => $"    [Remote(NumCpus = 0.5, MaxRetries = 2)] public static long M{m}(long a, long b, bool flag = true) => flag ? a : b;",
            });
            text.AppendLine();
        }
        text.AppendLine("}");
        // [Remote] twice on one method is not valid C#; the options variant drops the bare attribute above it.
        return text.ToString().Replace("    [Remote]\n    [Remote(", "    [Remote(").Replace("    [Remote]\r\n    [Remote(", "    [Remote(");
    }

    private static string ActorFile(int f)
    {
        var text = new StringBuilder();
        text.AppendLine("using System.Collections.Generic;");
        text.AppendLine("using System.Threading.Tasks;");
        text.AppendLine("using GenRay;");
        text.AppendLine();
        text.AppendLine($"namespace Scale.Actors{f % 4};");
        for (var a = f * ActorsPerFile; a < (f + 1) * ActorsPerFile; a++)
        {
            text.AppendLine($$"""

                [Remote(MaxConcurrency = {{1 + (a % 3)}})]
                public partial class Actor{{a}}
                {
                    private int _count;
                    private readonly List<string> _log = [];

                    public Actor{{a}}(int start = 0) => _count = start;

                    public Actor{{a}}(string name, int start) { _log.Add(name); _count = start; }

                    public int Inc(int by = 1) => _count += by;

                    public int Get() => _count;

                    public void Log(string line) => _log.Add(line);

                    public async Task<List<string>> DrainAsync() { await Task.Yield(); var copy = new List<string>(_log); _log.Clear(); return copy; }

                    public double[] Scale(double[] values, double factor = 2.0) { for (var i = 0; i < values.Length; i++) { values[i] *= factor; } return values; }
                }
                """);
        }
        return text.ToString();
    }
}
