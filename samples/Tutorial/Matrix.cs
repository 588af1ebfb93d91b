using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics;
using System.Text;

namespace Tutorial;

/// <summary>The bits of numpy the tutorial leans on: normal samples, the dot product, and printing.</summary>
public static class Matrix
{
    /// <summary>A standard normal sample (Box–Muller).</summary>
    public static double NextGaussian(this Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>The matrix product (i-k-j order over contiguous rows, so the inner loop vectorises).</summary>
    public static double[,] Dot(double[,] x, double[,] y)
    {
        var (n, shared, m) = (x.GetLength(0), x.GetLength(1), y.GetLength(1));
        if (y.GetLength(0) != shared)
        {
            throw new ArgumentException($"shapes ({n},{shared}) and ({y.GetLength(0)},{m}) not aligned");
        }
        var result = new double[n, m];
        var xs = Flat(x);
        var ys = Flat(y);
        var rs = Flat(result);
        var lanes = Vector<double>.Count;
        for (var i = 0; i < n; i++)
        {
            var row = rs.Slice(i * m, m);
            for (var k = 0; k < shared; k++)
            {
                var a = xs[(i * shared) + k];
                var other = ys.Slice(k * m, m);
                var scale = new Vector<double>(a);
                var j = 0;
                for (; j <= m - lanes; j += lanes)
                {
                    (new Vector<double>(row[j..]) + (scale * new Vector<double>(other[j..]))).CopyTo(row[j..]);
                }
                for (; j < m; j++)
                {
                    row[j] += a * other[j];
                }
            }
        }
        return result;
    }

    private static Span<double> Flat(double[,] matrix) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(matrix)), matrix.Length);

    /// <summary>The shape, printed as numpy prints it: <c>(1000, 1000)</c>.</summary>
    public static string Shape(double[,] matrix) => $"({matrix.GetLength(0)}, {matrix.GetLength(1)})";

    /// <summary>numpy's summary of a large array: the first and last three rows and columns.</summary>
    public static string Format(double[,] matrix)
    {
        var (rows, columns) = (matrix.GetLength(0), matrix.GetLength(1));
        var shownRows = Edges(rows);
        var shownColumns = Edges(columns);
        var width = shownRows.Where(r => r >= 0).SelectMany(r => shownColumns.Where(c => c >= 0).Select(c => Number(matrix[r, c]).Length)).Max();

        var text = new StringBuilder("array([");
        for (var i = 0; i < shownRows.Count; i++)
        {
            if (i > 0)
            {
                text.Append(",\n       ");
            }
            if (shownRows[i] < 0)
            {
                text.Append("...");
                continue;
            }
            text.Append('[');
            text.Append(string.Join(", ", shownColumns.Select(c => c < 0 ? "..." : Number(matrix[shownRows[i], c]).PadLeft(width))));
            text.Append(']');
        }
        return text.Append("])").ToString();
    }

    private static List<int> Edges(int count) =>
        count <= 6 ? [.. Enumerable.Range(0, count)] : [0, 1, 2, -1, count - 3, count - 2, count - 1];

    private static string Number(double value) => value.ToString("0.00000000", CultureInfo.InvariantCulture);
}
