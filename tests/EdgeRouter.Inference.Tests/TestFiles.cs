namespace EdgeRouter.Tests;

/// <summary>Paths of the test data copied next to the test binaries.</summary>
internal static class TestFiles
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "TestData");

    public static string Models => Path.Combine(Root, "models");

    public static string Tokenizers => Path.Combine(Root, "tokenizers");

    /// <summary>A fresh directory under the system temp folder, deleted when disposed.</summary>
    public static TempDirectory TempDirectory() => new(Path.Combine(Path.GetTempPath(), "edgerouter-tests-" + Guid.NewGuid().ToString("N")));
}

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
