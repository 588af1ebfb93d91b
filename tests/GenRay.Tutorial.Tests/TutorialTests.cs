using System.Globalization;
using System.Text.RegularExpressions;
using static GenRay.Tutorial.Tests.TutorialRun;

namespace GenRay.Tutorial.Tests;

/// <summary>
/// The seed tutorial, run as <c>dotnet Tutorial.dll --fast</c>: every value it prints, and the speed-ups it is
/// about. With <c>--fast</c> each of the seed's one-second sleeps lasts <see cref="TutorialRun.Sleep"/>; the
/// timing bounds are generous (a 2-core machine shared with other test runs), but each still tells the right
/// behaviour from the wrong one: a lower bound proves the dependencies were waited for, an upper bound that
/// independent work ran at the same time.
/// </summary>
public abstract partial class TutorialTests(TutorialRun run)
{
    private readonly TutorialOutput _cells = run.Cells;

    [Fact]
    public void Four_tasks_return_their_values_and_run_in_parallel()
    {
        Assert.Equal([0, 1, 2, 3], _cells.Results.Select(r => r.Value));
        Assert.Equal(_cells.ResultsPrinted, _cells.ResultLines); // In [3] prints the same pairs, one a line

        var stamps = _cells.Results.Select(r => r.Timestamp).ToList();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        Assert.All(stamps, t => Assert.InRange(t, now - 600, now)); // Unix seconds, taken during this run

        // Run one after another, two tasks would finish at least a sleep apart.
        var spread = stamps.Max() - stamps.Min();
        Assert.True(spread < 0.9 * Sleep, $"the tasks finished {spread:F3} s apart: they did not run in parallel");

        // Four sleeps one after another take at least 4 × Sleep; in parallel, one. The cell's wall time also
        // pays for the first remote calls of the process (JIT, thread start), which a loaded 2-core machine
        // stretches from a few hundredths of a second to a few tenths: only the serial bound is safe.
        Assert.True(_cells.ParallelWallTime >= Sleep * 0.95, $"the cell took {_cells.ParallelWallTime} s: less than one task's sleep");
        Assert.True(_cells.ParallelWallTime < 4 * Sleep,
            $"the cell took {_cells.ParallelWallTime} s, as long as four tasks one after another ({4 * Sleep} s)");
    }

    [Fact]
    public void The_matrix_cell_prints_the_product_like_numpy_with_its_shape_and_the_three_ids()
    {
        Assert.StartsWith("array([[", _cells.Matrix[0]);
        Assert.EndsWith("]])", _cells.Matrix[^1]);

        // Entries of the product of two standard normal 1000×1000 matrices have a standard deviation of
        // sqrt(1000) ≈ 31.6; the root mean square of the 36 shown is far inside (10, 100) unless the
        // multiplication (or the random matrices) went wrong.
        var shown = _cells.Matrix.SelectMany(row => NumberPattern().Matches(row))
            .Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(36, shown.Count);
        Assert.InRange(Math.Sqrt(shown.Average(v => v * v)), 10, 100);

        Assert.Equal("(1000, 1000)", _cells.Shape);

        Assert.Equal(3, _cells.Ids.Distinct().Count());
        // The last four bytes are the object's index within its task, little-endian, as Ray prints it: 1 for a return value.
        Assert.All(_cells.Ids, id => Assert.EndsWith("01000000", id));
    }

    [Fact]
    public void Tree_aggregation_adds_up_to_36_like_the_chain_and_is_clearly_faster()
    {
        Assert.Equal(36, _cells.Linear.Result);
        Assert.Equal(36, _cells.Tree.Result);

        // The chain is seven adds deep, each waiting for the last; the tree three.
        Assert.True(_cells.Linear.WallTime >= 7 * Sleep * 0.97, $"the chain took {_cells.Linear.WallTime} s: an add did not wait for its argument");
        Assert.True(_cells.Tree.WallTime >= 3 * Sleep * 0.97, $"the tree took {_cells.Tree.WallTime} s: an add did not wait for its argument");
        Assert.True(_cells.Tree.WallTime < 0.75 * _cells.Linear.WallTime,
            $"tree {_cells.Tree.WallTime} s vs chain {_cells.Linear.WallTime} s: the independent adds did not run in parallel");
    }

    [Fact]
    public void Fast_list_reduction_adds_up_to_45_like_the_slow_one_and_is_clearly_faster()
    {
        Assert.Equal(45, _cells.SlowList.Result);
        Assert.Equal(45, _cells.FastList.Result);

        // The slow loop builds a chain eight adds deep; the fast one a tree four deep.
        Assert.True(_cells.SlowList.WallTime >= 8 * Sleep * 0.97, $"the slow reduction took {_cells.SlowList.WallTime} s: an add did not wait for its argument");
        Assert.True(_cells.FastList.WallTime >= 4 * Sleep * 0.97, $"the fast reduction took {_cells.FastList.WallTime} s: an add did not wait for its argument");
        Assert.True(_cells.FastList.WallTime < 0.75 * _cells.SlowList.WallTime,
            $"fast {_cells.FastList.WallTime} s vs slow {_cells.SlowList.WallTime} s: the independent adds did not run in parallel");
    }

    [Fact]
    public void The_adder_starts_at_0_and_sums_ten_fire_and_forget_adds_to_45()
    {
        Assert.Equal(0, _cells.AdderBefore);
        Assert.Equal(45, _cells.AdderAfter);
    }

    [Fact]
    public void A_thousand_numbers_over_3_10_5_and_2_adders_sum_to_499500()
    {
        Assert.Equal([3, 10, 5, 2], _cells.Adders.Select(a => a.Actors));
        Assert.All(_cells.Adders, a => Assert.Equal(499500, a.Result));
        Assert.All(_cells.Adders, a => Assert.InRange(a.Seconds, 0, 60));
    }

    [Fact]
    public void The_counter_starts_at_5_and_reads_9_after_four_increments()
    {
        Assert.Equal(5, _cells.CounterBefore);
        Assert.Equal(9, _cells.CounterAfter);
    }

    [Fact]
    public void The_message_actor_delivers_every_workers_messages_once_and_in_order()
    {
        Assert.Equal(10, _cells.MessageReads.Count);

        var all = _cells.MessageReads.SelectMany(read => read).Concat(_cells.MessagesLeft).ToList();
        var parsed = all.Select(message => MessagePattern().Match(message)).ToList();
        Assert.All(parsed.Zip(all), p => Assert.True(p.First.Success, $"not a worker's message: '{p.Second}'"));

        var expected = from i in Enumerable.Range(0, 10) from j in Enumerable.Range(0, 3) select $"MSG {i} by WKR {j}.";
        Assert.Equal(expected.Order(), all.Order()); // each of the 30 messages exactly once

        for (var j = 0; j < 3; j++)
        {
            var worker = j.ToString(CultureInfo.InvariantCulture);
            var sent = parsed.Where(m => m.Groups["worker"].Value == worker).Select(m => int.Parse(m.Groups["i"].Value, CultureInfo.InvariantCulture));
            Assert.Equal(Enumerable.Range(0, 10), sent); // one caller's calls arrive in the order it made them
        }
    }

    [GeneratedRegex(@"-?\d+\.\d+")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^MSG (?<i>\d+) by WKR (?<worker>\d+)\.$")]
    private static partial Regex MessagePattern();
}

public sealed class TutorialTestsInProcess(InProcessRun run) : TutorialTests(run), IClassFixture<InProcessRun>;

public sealed class TutorialTestsWithWorkers(WorkersRun run) : TutorialTests(run), IClassFixture<WorkersRun>;
