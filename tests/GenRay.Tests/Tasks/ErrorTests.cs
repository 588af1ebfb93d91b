using GenRay.Tests.Support;

namespace GenRay.Tests.Tasks;

/// <summary>Exceptions in remote code reach Get and await as RayTaskException, with the original kept.</summary>
public abstract class ErrorTests : RayTest
{
    protected ErrorTests() => TaskRemotes.Reset();

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
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.IsAssignableFrom<RayException>(error);
    }

    [Fact]
    public async Task Await_rethrows_an_async_remotes_exception()
    {
        Start();

        var error = await Assert.ThrowsAsync<RayTaskException>(async () => await TaskRemotes.Remote.FailAsync("bad argument"));

        Assert.Equal("System.ArgumentException", error.ExceptionTypeName);
        Assert.Equal("bad argument", error.ExceptionMessage);
        Assert.IsType<ArgumentException>(error.InnerException);
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
        var inner = Assert.IsType<RayTaskException>(error.InnerException);
        Assert.Equal("TaskRemotes.Fail", inner.FunctionName);
        Assert.Equal("deep", inner.ExceptionMessage);
    }

    [Fact]
    public void Exceptions_are_not_retried_by_default()
    {
        Start();

        Assert.Throws<RayTaskException>(() => Ray.Get(TaskRemotes.Remote.Flaky(1)));

        Assert.Equal(1, TaskRemotes.Attempts);
    }

    [Fact]
    public void RetryExceptions_retries_up_to_max_retries()
    {
        Start();

        Assert.Equal(3, Ray.Get(TaskRemotes.Remote.FlakyRetried(2)));
        TaskRemotes.Attempts = 0;
        var error = Assert.Throws<RayTaskException>(() => Ray.Get(TaskRemotes.Remote.FlakyRetried(3)));
        Assert.Equal(3, TaskRemotes.Attempts); // the first run and two retries
        Assert.Equal("System.TimeoutException", error.ExceptionTypeName);
    }

    [Fact]
    public void Retry_exception_types_retry_only_matching_exceptions()
    {
        Start();

        Assert.Equal(5, Ray.Get(TaskRemotes.Remote.FlakyRetriedOnTimeout(4)));

        var options = new TaskOptions { RetryExceptionTypes = [typeof(ArgumentException)], MaxRetries = 5 };
        TaskRemotes.Attempts = 0;
        Assert.Throws<RayTaskException>(() => Ray.Get(TaskRemotes.Remote.With(options).Flaky(2)));
        Assert.Equal(1, TaskRemotes.Attempts);
    }

    [Fact]
    public void Per_call_options_can_turn_retries_off()
    {
        Start();

        Assert.Throws<RayTaskException>(() => Ray.Get(TaskRemotes.Remote.With(new TaskOptions { MaxRetries = 0 }).FlakyRetried(1)));

        Assert.Equal(1, TaskRemotes.Attempts);
    }
}

public sealed class ErrorTestsInProcess : ErrorTests
{
}
