using GenRay.Tests.Support;

namespace GenRay.Tests.Tasks;

/// <summary>Exceptions in remote code reach Get and await as RayTaskException, with the original kept.</summary>
public abstract class ErrorTests : RayTest
{

    [Fact]
    public void A_failing_task_reports_the_original_exception()
    {
        Start();

        var error = Assert.Throws<RayTaskException>(() => Ray.Get(TaskRemotes.Remote.Fail("boom")));

        Assert.Equal("System.InvalidOperationException", error.ExceptionTypeName);
        Assert.Equal("boom", error.ExceptionMessage);
        Assert.Equal("TaskRemotes.Fail", error.FunctionName);
        Assert.Contains("TaskRemotes.Fail", error.RemoteStackTrace);
        Assert.Contains("InvalidOperationException", error.Message);
        Assert.Contains("boom", error.Message);
        Assert.IsAssignableFrom<RayException>(error);
        if (InProcess)
        {
            Assert.IsType<InvalidOperationException>(error.InnerException); // the original, when it ran here
        }
    }

    [Fact]
    public async Task Await_rethrows_an_async_remotes_exception()
    {
        Start();

        var error = await Assert.ThrowsAsync<RayTaskException>(async () => await TaskRemotes.Remote.FailAsync("bad argument"));

        Assert.Equal("System.ArgumentException", error.ExceptionTypeName);
        Assert.Equal("bad argument", error.ExceptionMessage);
        if (InProcess)
        {
            Assert.IsType<ArgumentException>(error.InnerException);
        }
    }

    [Fact]
    public void A_task_depending_on_a_failed_task_fails_with_the_same_error_without_running()
    {
        Start();
        var failed = TaskRemotes.Remote.Fail("root cause");

        var dependent = TaskRemotes.Remote.Add(failed, 1);
        var error = Assert.Throws<RayTaskException>(() => Ray.Get(dependent));

        Assert.Equal("root cause", error.ExceptionMessage);
        Assert.Equal("TaskRemotes.Fail", error.FunctionName);
    }

    [Fact]
    public void An_error_in_a_nested_get_names_both_tasks()
    {
        Start();

        // Unwrap takes an ObjectRef<int>: the ref is passed as is, and Unwrap's own Get throws.
        var error = Assert.Throws<RayTaskException>(() => Ray.Get(TaskRemotes.Remote.Unwrap(TaskRemotes.Remote.Fail("deep"))));

        Assert.Equal("TaskRemotes.Unwrap", error.FunctionName);
        Assert.Equal(typeof(RayTaskException).FullName, error.ExceptionTypeName);
        Assert.Contains("TaskRemotes.Fail failed with System.InvalidOperationException: deep", error.ExceptionMessage);
        if (InProcess)
        {
            var inner = Assert.IsType<RayTaskException>(error.InnerException);
            Assert.Equal("TaskRemotes.Fail", inner.FunctionName);
        }
    }

    [Fact]
    public void Exceptions_are_not_retried_by_default()
    {
        Start();
        var attempts = Tally.Remote.New();

        Assert.Throws<RayTaskException>(() => Ray.Get(TaskRemotes.Remote.Flaky(attempts, 1)));

        Assert.Equal(1, Ray.Get(attempts.Count()));
    }

    [Fact]
    public void RetryExceptions_retries_up_to_max_retries()
    {
        Start();

        Assert.Equal(3, Ray.Get(TaskRemotes.Remote.FlakyRetried(Tally.Remote.New(), 2)));
        var attempts = Tally.Remote.New();
        var error = Assert.Throws<RayTaskException>(() => Ray.Get(TaskRemotes.Remote.FlakyRetried(attempts, 3)));
        Assert.Equal(3, Ray.Get(attempts.Count())); // the first run and two retries
        Assert.Equal("System.TimeoutException", error.ExceptionTypeName);
    }

    [Fact]
    public void Retry_exception_types_retry_only_matching_exceptions()
    {
        Start();

        Assert.Equal(5, Ray.Get(TaskRemotes.Remote.FlakyRetriedOnTimeout(Tally.Remote.New(), 4)));

        var options = new TaskOptions { RetryExceptionTypes = [typeof(ArgumentException)], MaxRetries = 5 };
        var attempts = Tally.Remote.New();
        Assert.Throws<RayTaskException>(() => Ray.Get(TaskRemotes.Remote.With(options).Flaky(attempts, 2)));
        Assert.Equal(1, Ray.Get(attempts.Count()));
    }

    [Fact]
    public void Per_call_options_can_turn_retries_off()
    {
        Start();
        var attempts = Tally.Remote.New();

        Assert.Throws<RayTaskException>(() => Ray.Get(TaskRemotes.Remote.With(new TaskOptions { MaxRetries = 0 }).FlakyRetried(attempts, 1)));

        Assert.Equal(1, Ray.Get(attempts.Count()));
    }
}

public sealed class ErrorTestsInProcess : ErrorTests
{
}

public sealed class ErrorTestsWorkers : ErrorTests
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;
}
