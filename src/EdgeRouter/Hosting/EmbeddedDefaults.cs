namespace EdgeRouter.Hosting;

/// <summary>The configuration compiled into the binary, used when no config file is given.</summary>
public static class EmbeddedDefaults
{
    /// <summary>How the embedded config is named in logs.</summary>
    public const string SourceName = "(embedded default)";

    /// <summary>The embedded default configuration as UTF-8 JSON.</summary>
    public static byte[] ConfigJson()
    {
        using var stream = typeof(EmbeddedDefaults).Assembly.GetManifestResourceStream("EdgeRouter.Defaults.edgerouter.json")
            ?? throw new InvalidOperationException("The embedded default configuration is missing from the binary.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
