#!/usr/bin/env pwsh
# EdgeRouter tasks for PowerShell; build.sh has the same tasks for bash.
#   ./build.ps1 run [edgerouter args]   run the gateway (no args: the embedded default config)
#   ./build.ps1 test                    run every test
#   ./build.ps1 publish [rid]           publish the native binary to artifacts/publish/<rid>
#   ./build.ps1 smoke [rid]             start the published binary and exercise it end to end
#   ./build.ps1 bench                   run the load harness (bench/load) and print its report
param(
    [Parameter(Position = 0)][string]$Task = 'help',
    [Parameter(Position = 1, ValueFromRemainingArguments = $true)][string[]]$Rest = @()
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Assert-Dotnet {
    if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
        throw 'build.ps1: the .NET SDK is required (https://dot.net); none found on PATH.'
    }
}

function Get-DefaultRid {
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    $cpu = switch ($arch) { 'X64' { 'x64' } 'Arm64' { 'arm64' } default { throw "build.ps1: unsupported architecture $arch" } }
    "$os-$cpu"
}

function Invoke-Checked([string]$File, [string[]]$Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

switch ($Task) {
    'run' {
        Assert-Dotnet
        Invoke-Checked dotnet (@('run', '--project', 'src/EdgeRouter', '-c', 'Release', '--') + $Rest)
    }
    'test' {
        Assert-Dotnet
        Invoke-Checked dotnet @('build', 'EdgeRouter.sln', '-c', 'Release')
        Invoke-Checked dotnet (@('test', 'EdgeRouter.sln', '-c', 'Release', '--no-build', '--logger', 'console;verbosity=normal') + $Rest)
    }
    'publish' {
        Assert-Dotnet
        $rid = if ($Rest.Count -gt 0) { $Rest[0] } else { Get-DefaultRid }
        Invoke-Checked dotnet @('publish', 'src/EdgeRouter', '-c', 'Release', '-r', $rid, '-o', "artifacts/publish/$rid")
        Get-ChildItem "artifacts/publish/$rid"
    }
    'smoke' {
        $rid = if ($Rest.Count -gt 0) { $Rest[0] } else { Get-DefaultRid }
        # The smoke test drives the binary with curl from bash (Git Bash or WSL on Windows).
        Invoke-Checked bash @('scripts/smoke-test.sh', "artifacts/publish/$rid/edgerouter")
    }
    'bench' {
        Assert-Dotnet
        Invoke-Checked bash (@('bench/load/run.sh') + $Rest)
    }
    default {
        Get-Content $PSCommandPath | Select-Object -Skip 1 -First 6
    }
}
