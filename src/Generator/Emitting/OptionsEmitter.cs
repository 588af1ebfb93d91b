using System.Collections.Generic;
using System.Linq;
using GenRay.Generator.Model;

namespace GenRay.Generator.Emitting;

/// <summary>Writes the attribute's options as a <c>TaskOptions</c> or <c>ActorOptions</c> initializer.</summary>
internal static class OptionsEmitter
{
    public static string TaskDefaults(RemoteOptions options)
    {
        if (!options.HasTaskOptions)
        {
            return "null";
        }
        var members = new List<string>();
        Common(options, members);
        Add(members, "MaxRetries", options.MaxRetries);
        Add(members, "RetryExceptions", options.RetryExceptions);
        if (options.RetryExceptionTypes.Count > 0)
        {
            members.Add($"RetryExceptionTypes = new global::System.Type[] {{ {string.Join(", ", options.RetryExceptionTypes.Select(t => $"typeof({t.TrimEnd('?')})"))} }}");
        }
        return $"new global::GenRay.TaskOptions {{ {string.Join(", ", members)} }}";
    }

    public static string ActorDefaults(RemoteOptions options)
    {
        if (!options.HasActorOptions)
        {
            return "null";
        }
        var members = new List<string>();
        Common(options, members);
        Add(members, "MaxRestarts", options.MaxRestarts);
        Add(members, "MaxTaskRetries", options.MaxTaskRetries);
        Add(members, "MaxConcurrency", options.MaxConcurrency);
        return $"new global::GenRay.ActorOptions {{ {string.Join(", ", members)} }}";
    }

    private static void Common(RemoteOptions options, List<string> members)
    {
        Add(members, "NumCpus", options.NumCpus);
        Add(members, "NumGpus", options.NumGpus);
        if (options.Resources.Count > 0)
        {
            var entries = string.Join(", ", options.Resources.Select(r => $"[{r.Name}] = {r.Amount}"));
            members.Add($"Resources = new global::System.Collections.Generic.Dictionary<string, double> {{ {entries} }}");
        }
    }

    private static void Add(List<string> members, string name, string? value)
    {
        if (value is not null)
        {
            members.Add($"{name} = {value}");
        }
    }
}
