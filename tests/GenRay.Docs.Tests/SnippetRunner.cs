using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace GenRay.Docs.Tests;

/// <summary>
/// Runs a compiled snippet's top-level statements in this process and returns what it printed. The snippet binds
/// to the GenRay runtime this test assembly loaded, so it starts and stops the same (one per process) runtime.
/// </summary>
internal static class SnippetRunner
{
    private static readonly object s_console = new();

    public static string Run(Compilation compilation, TimeSpan timeout)
    {
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));

        var context = new AssemblyLoadContext("snippet", isCollectible: true);
        try
        {
            image.Position = 0;
            var entryPoint = context.LoadFromStream(image).EntryPoint
                ?? throw new InvalidOperationException("The snippet has no top-level statements to run.");
            lock (s_console)
            {
                var original = Console.Out;
                using var output = new StringWriter { NewLine = "\n" };
                Console.SetOut(output);
                try
                {
                    var run = Task.Run(() =>
                    {
                        var result = entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? [] : [Array.Empty<string>()]);
                        (result as Task)?.GetAwaiter().GetResult();
                    });
                    if (!run.Wait(timeout))
                    {
                        throw new TimeoutException($"The snippet did not finish within {timeout}.");
                    }
                }
                catch (AggregateException error) when (error.InnerException is TargetInvocationException { InnerException: { } thrown })
                {
                    throw new InvalidOperationException($"The snippet threw {thrown.GetType().Name}: {thrown.Message}\nIt printed:\n{output}", thrown);
                }
                finally
                {
                    Console.SetOut(original);
                    Ray.Shutdown(); // a snippet that failed must not leave the next one a running runtime
                }
                return output.ToString();
            }
        }
        finally
        {
            context.Unload();
        }
    }
}
