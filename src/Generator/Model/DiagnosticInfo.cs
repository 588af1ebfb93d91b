using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace GenRay.Generator.Model;

/// <summary>A diagnostic as values (descriptor id, location, message arguments), so it can live in a cached model.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor.Id, LocationInfo.From(location), arguments.ToEquatableArray());

    public Diagnostic ToDiagnostic()
    {
        var descriptor = Diagnostics.DiagnosticDescriptors.ById(Id)
            ?? throw new InvalidOperationException($"Unknown GenRay diagnostic {Id}.");
        return Diagnostic.Create(descriptor, Location?.ToLocation(), Arguments.Cast<object>().ToArray());
    }
}
