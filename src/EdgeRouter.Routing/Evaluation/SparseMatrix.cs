using System.Numerics;
using System.Runtime.InteropServices;

namespace EdgeRouter.Routing.Evaluation;

/// <summary>A row-major sparse matrix (CSR): per row, ascending column indices and their values. Immutable; thread-safe.</summary>
public sealed class SparseMatrix
{
    private readonly int[] _rowStarts;
    private readonly int[] _columns;
    private readonly double[] _values;

    /// <summary>Creates a matrix from CSR arrays (not copied).</summary>
    /// <param name="columnCount">Number of columns.</param>
    /// <param name="rowStarts">Start of each row in <paramref name="columns"/>, plus the total count at the end.</param>
    /// <param name="columns">Column index of each stored value.</param>
    /// <param name="values">The stored values.</param>
    /// <exception cref="ArgumentException">The arrays do not describe a matrix.</exception>
    public SparseMatrix(int columnCount, int[] rowStarts, int[] columns, double[] values)
    {
        ArgumentNullException.ThrowIfNull(rowStarts);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(values);
        if (rowStarts.Length == 0 || rowStarts[0] != 0 || rowStarts[^1] != columns.Length || columns.Length != values.Length)
        {
            throw new ArgumentException("rowStarts must start at 0 and end at the number of stored values, one column per value.", nameof(rowStarts));
        }

        ColumnCount = columnCount;
        _rowStarts = rowStarts;
        _columns = columns;
        _values = values;
    }

    /// <summary>Number of rows.</summary>
    public int RowCount => _rowStarts.Length - 1;

    /// <summary>Number of columns.</summary>
    public int ColumnCount { get; }

    /// <summary>Number of stored values.</summary>
    public int StoredCount => _values.Length;

    /// <summary>Column indices of row <paramref name="row"/>'s stored values.</summary>
    public ReadOnlySpan<int> Columns(int row) => _columns.AsSpan(_rowStarts[row], _rowStarts[row + 1] - _rowStarts[row]);

    /// <summary>Row <paramref name="row"/>'s stored values.</summary>
    public ReadOnlySpan<double> Values(int row) => _values.AsSpan(_rowStarts[row], _rowStarts[row + 1] - _rowStarts[row]);

    /// <summary>Dot product of row <paramref name="row"/> with a dense vector of <see cref="ColumnCount"/> entries.</summary>
    public double Dot(int row, ReadOnlySpan<double> dense)
    {
        var columns = Columns(row);
        var values = Values(row);
        var sum = 0.0;
        for (var i = 0; i < columns.Length; i++)
        {
            sum += values[i] * dense[columns[i]];
        }

        return sum;
    }

    /// <summary>Adds <paramref name="scale"/> × row <paramref name="row"/> to a dense vector.</summary>
    public void AddScaledRow(int row, double scale, Span<double> dense)
    {
        var columns = Columns(row);
        var values = Values(row);
        for (var i = 0; i < columns.Length; i++)
        {
            dense[columns[i]] += scale * values[i];
        }
    }

    /// <summary>A matrix of the given rows of this one, in that order.</summary>
    public SparseMatrix SelectRows(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var starts = new int[rows.Count + 1];
        for (var i = 0; i < rows.Count; i++)
        {
            starts[i + 1] = starts[i] + _rowStarts[rows[i] + 1] - _rowStarts[rows[i]];
        }

        var columns = new int[starts[^1]];
        var values = new double[starts[^1]];
        for (var i = 0; i < rows.Count; i++)
        {
            Columns(rows[i]).CopyTo(columns.AsSpan(starts[i]));
            Values(rows[i]).CopyTo(values.AsSpan(starts[i]));
        }

        return new SparseMatrix(ColumnCount, starts, columns, values);
    }
}

/// <summary>Dense vector helpers (SIMD through <see cref="Vector{T}"/>).</summary>
internal static class DenseMath
{
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = Vector<double>.Zero;
        var va = MemoryMarshal.Cast<double, Vector<double>>(a);
        var vb = MemoryMarshal.Cast<double, Vector<double>>(b[..a.Length]);
        for (var i = 0; i < va.Length; i++)
        {
            sum += va[i] * vb[i];
        }

        var total = Vector.Sum(sum);
        for (var i = va.Length * Vector<double>.Count; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }

    /// <summary>y += a·x.</summary>
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
        var vy = MemoryMarshal.Cast<double, Vector<double>>(y[..x.Length]);
        var va = new Vector<double>(a);
        for (var i = 0; i < vx.Length; i++)
        {
            vy[i] += va * vx[i];
        }

        for (var i = vx.Length * Vector<double>.Count; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    public static double MaxAbs(ReadOnlySpan<double> x)
    {
        var max = 0.0;
        foreach (var v in x)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }

    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    /// <summary>log(1 + e^z) without overflow.</summary>
    public static double Softplus(double z) => z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));
}
