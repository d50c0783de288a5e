using EdgeRouter.Cli;

namespace EdgeRouter.FunctionalTests;

/// <summary><c>edgerouter check-config</c> on the embedded default and on a config whose model folder is missing.</summary>
public sealed class CheckConfigCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edgerouter-check-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void TheEmbeddedDefaultIsValidWithTheModelsNextToTheBinary()
    {
        Assert.Equal(CommandLine.Ok, CheckConfigCommand.Run([]));
    }

    [Fact]
    public void AMissingModelFolderIsAProblemRelativeToTheConfigFile()
    {
        var path = Path.Combine(_directory, "edgerouter.json");
        File.WriteAllText(path, """
            {
              "providers": [ { "name": "p", "baseUrl": "http://127.0.0.1:9/v1", "models": [ { "name": "m" } ] } ],
              "routes": { "auto": { "stages": [ { "kind": "static", "target": "p/m" } ] } },
              "inference": { "encoders": { "default": { "path": "models/no-such-encoder" } } }
            }
            """);

        Assert.Equal(CommandLine.Usage, CheckConfigCommand.Run(["--config", path]));

        Directory.CreateDirectory(Path.Combine(_directory, "models", "no-such-encoder"));
        Assert.Equal(CommandLine.Ok, CheckConfigCommand.Run(["--config", path]));
    }
}
