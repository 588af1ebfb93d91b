using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GenRay.Generator.Diagnostics;
using GenRay.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenRay.Generator.Parsing;

/// <summary>Reads the options written in a [Remote] attribute into literals, checking each value.</summary>
internal static class OptionsParser
{
    private static readonly HashSet<string> s_taskOnly = ["MaxRetries", "RetryExceptions", "RetryExceptionTypes"];
    private static readonly HashSet<string> s_actorOnly = ["MaxRestarts", "MaxTaskRetries", "MaxConcurrency"];

    public static RemoteOptions Parse(AttributeData attribute, bool forActor, string member, Location? location, List<DiagnosticInfo> diagnostics)
    {
        string? numCpus = null, numGpus = null, maxRetries = null, retryExceptions = null, maxRestarts = null, maxTaskRetries = null, maxConcurrency = null;
        var resources = new List<ResourceEntry>();
        var retryTypes = new List<string>();
        var where = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? location;

        foreach (var pair in attribute.NamedArguments)
        {
            var (name, value) = (pair.Key, pair.Value);
            if ((forActor && s_taskOnly.Contains(name)) || (!forActor && s_actorOnly.Contains(name)))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OptionDoesNotApply, where,
                    name, forActor ? "tasks ([Remote] static methods)" : "actors ([Remote] classes)", member));
                continue;
            }
            switch (name)
            {
                case "NumCpus":
                    numCpus = Amount(name, value, member, where, diagnostics);
                    break;
                case "NumGpus":
                    numGpus = Amount(name, value, member, where, diagnostics);
                    break;
                case "Resources":
                    ParseResources(value, member, where, resources, diagnostics);
                    break;
                case "MaxRetries":
                    maxRetries = Count(name, value, member, where, diagnostics, min: -1);
                    break;
                case "RetryExceptions":
                    retryExceptions = value.Value is true ? "true" : "false";
                    break;
                case "RetryExceptionTypes":
                    foreach (var item in value.Values)
                    {
                        if (item.Value is ITypeSymbol type)
                        {
                            if (!IsException(type))
                            {
                                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidOption, where,
                                    name, member, $"'{type.ToDisplayString()}' is not an exception type"));
                                continue;
                            }
                            retryTypes.Add(type.ToDisplayString(SymbolFacts.TypeFormat));
                        }
                    }
                    break;
                case "MaxRestarts":
                    maxRestarts = Count(name, value, member, where, diagnostics, min: -1);
                    break;
                case "MaxTaskRetries":
                    maxTaskRetries = Count(name, value, member, where, diagnostics, min: -1);
                    break;
                case "MaxConcurrency":
                    maxConcurrency = Count(name, value, member, where, diagnostics, min: 1);
                    break;
            }
        }
        return new RemoteOptions(numCpus, numGpus, resources.ToEquatableArray(), maxRetries, retryExceptions,
            retryTypes.ToEquatableArray(), maxRestarts, maxTaskRetries, maxConcurrency);
    }

    private static string? Amount(string name, TypedConstant value, string member, Location? where, List<DiagnosticInfo> diagnostics)
    {
        if (value.Value is not double amount || double.IsNaN(amount) || double.IsInfinity(amount) || amount < 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidOption, where, name, member, "it must be a finite number, 0 or more"));
            return null;
        }
        return amount.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string? Count(string name, TypedConstant value, string member, Location? where, List<DiagnosticInfo> diagnostics, int min)
    {
        if (value.Value is not int count || count < min)
        {
            var rule = min == 1 ? "it must be 1 or more" : "it must be 0 or more, or -1 for no limit";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidOption, where, name, member, rule));
            return null;
        }
        return count.ToString(CultureInfo.InvariantCulture);
    }

    private static void ParseResources(TypedConstant value, string member, Location? where, List<ResourceEntry> resources, List<DiagnosticInfo> diagnostics)
    {
        if (value.IsNull)
        {
            return;
        }
        foreach (var item in value.Values)
        {
            var text = item.Value as string ?? "";
            var parts = text.Split('=');
            if (parts.Length != 2 || parts[0].Trim().Length == 0
                || !double.TryParse(parts[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
                || double.IsNaN(amount) || double.IsInfinity(amount) || amount < 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidOption, where, "Resources", member,
                    $"\"{text}\" is not written \"name=amount\" with an amount of 0 or more, for example \"gpu=1\""));
                continue;
            }
            var resourceName = parts[0].Trim();
            if (resourceName == "CPU")
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidOption, where, "Resources", member,
                    "CPUs are set with NumCpus, not as a resource named \"CPU\""));
                continue;
            }
            if (resources.Any(r => r.Name == resourceName))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidOption, where, "Resources", member,
                    $"the resource \"{resourceName}\" is listed twice"));
                continue;
            }
            resources.Add(new ResourceEntry(SymbolFacts.Literal(resourceName), amount.ToString("R", CultureInfo.InvariantCulture)));
        }
    }

    private static bool IsException(ITypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.ToDisplayString() == "System.Exception")
            {
                return true;
            }
        }
        return false;
    }
}
