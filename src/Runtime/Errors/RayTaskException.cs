namespace GenRay;

/// <summary>
/// A remote task or actor method threw. The original exception's type name, message and stack trace are
/// kept; when the work ran in this process, <see cref="Exception.InnerException"/> is the original exception.
/// </summary>
public class RayTaskException : RayException
{
    /// <summary>Creates the error for a remote that failed with the given original exception details.</summary>
    public RayTaskException(string functionName, string exceptionTypeName, string exceptionMessage, string? remoteStackTrace, Exception? innerException)
        : base(Format(functionName, exceptionTypeName, exceptionMessage), innerException)
    {
        FunctionName = functionName;
        ExceptionTypeName = exceptionTypeName;
        ExceptionMessage = exceptionMessage;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>The remote that failed, for example <c>Work.Add</c> or <c>Adder.GetSum</c>.</summary>
    public string FunctionName { get; }

    /// <summary>The full type name of the original exception, for example <c>System.InvalidOperationException</c>.</summary>
    public string ExceptionTypeName { get; }

    /// <summary>The original exception's message.</summary>
    public string ExceptionMessage { get; }

    /// <summary>The original exception's stack trace, as it was where the remote ran.</summary>
    public string? RemoteStackTrace { get; }

    /// <summary>The original exception's type and its base types, most derived first (for retry matching across processes).</summary>
    internal IReadOnlyList<string> ExceptionTypeChain { get; init; } = [];

    /// <summary>Whether the original exception was a <paramref name="type"/> (or derived from it).</summary>
    internal bool IsA(Type type) =>
        InnerException is { } local ? type.IsInstanceOfType(local) : ExceptionTypeChain.Contains(type.FullName ?? type.Name) || ExceptionTypeName == type.FullName;

    /// <summary>Wraps an exception thrown by user code that ran in this process.</summary>
    internal static RayTaskException FromLocal(string functionName, Exception error) =>
        error as RayTaskException is { } alreadyWrapped && alreadyWrapped.FunctionName == functionName
            ? alreadyWrapped
            : new RayTaskException(functionName, error.GetType().FullName ?? error.GetType().Name, error.Message, error.StackTrace, error)
            {
                ExceptionTypeChain = Chain(error.GetType()),
            };

    private static List<string> Chain(Type type)
    {
        var chain = new List<string>();
        for (var current = type; current is not null && current != typeof(object); current = current.BaseType)
        {
            chain.Add(current.FullName ?? current.Name);
        }
        return chain;
    }

    private static string Format(string functionName, string typeName, string message) =>
        $"{functionName} failed with {typeName}: {message}";

    /// <inheritdoc />
    public override string ToString() =>
        RemoteStackTrace is null ? base.ToString() : $"{base.ToString()}{Environment.NewLine}--- remote stack trace ---{Environment.NewLine}{RemoteStackTrace}";
}
