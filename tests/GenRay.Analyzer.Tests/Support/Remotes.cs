namespace GenRay.Analyzer.Tests;

/// <summary>Declarations the analyzer tests' code calls: a few tasks and an actor, as a user would write them.</summary>
internal static class Remotes
{
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;
        using GenRay;

        """;

    public const string Declarations = """

        public static partial class Work
        {
            [Remote] public static int F(int x) => x;
            [Remote] public static bool Done() => true;
            [Remote] public static void Log(string line) { }
            [Remote] public static int Sum(int[] data, int i) => data.Length + i;
            [Remote] public static int Count(List<int> items, string name) => items.Count;
            [Remote] public static int Ping(List<ActorHandle<Counter>> counters) => counters.Count;
        }

        [Remote]
        public partial class Counter
        {
            private int _value;
            public int Get() => _value;
            public int Add(int x) => _value += x;
        }
        """;

    /// <summary>A file with the usual usings, the code under test, then the declarations.</summary>
    public static string With(string code) => Usings + code + Declarations;
}
