using EdgeRouter.Cli;

return await CommandLine.RunAsync(args);
