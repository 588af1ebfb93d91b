using GenRay.Tests.Support;
using GenRay.Tests.Tasks;

namespace GenRay.Tests.Workers;

/// <summary>A task a worker's code submits keeps the options of its call: the driver schedules it by them.</summary>
public sealed class NestedOptionsTests : RayTest
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;

    [Fact]
    public void A_nested_call_asking_for_more_cpus_than_the_node_has_fails_saying_so()
    {
        Start();

        var answer = Ray.Get(NestedOptionsRemotes.Remote.SubmitsTooBig(), TimeSpan.FromSeconds(60));

        Assert.Contains("asks for 64 CPUs", answer);
    }

    [Fact]
    public void A_nested_call_that_retries_exceptions_is_retried_by_the_driver()
    {
        Start();
        var attempts = Tally.Remote.New();

        var attempt = Ray.Get(NestedOptionsRemotes.Remote.SubmitsRetried(attempts, 2), TimeSpan.FromSeconds(60));

        Assert.Equal(3, attempt); // failed twice, retried per the call's options, succeeded on the third attempt
    }
}

public static partial class NestedOptionsRemotes
{
    [Remote]
    public static string SubmitsTooBig()
    {
        try
        {
            return $"ran: {Ray.Get(TaskRemotes.Remote.With(new TaskOptions { NumCpus = 64 }).Echo(1))}";
        }
        catch (RayException error)
        {
            return error.Message;
        }
    }

    [Remote]
    public static int SubmitsRetried(ActorHandle<Tally> attempts, int failures) =>
        Ray.Get(TaskRemotes.Remote.With(new TaskOptions { RetryExceptions = true, MaxRetries = 3 }).Flaky(attempts, failures));
}
