#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Issue 14 through the cmdlets: a FIFO, /dev/zero and a 1 GB file are refused at once as error records with the gate's
    error id, Test-MaceProgram fails a file of zeros, and an alias bomb in a deployment file is a finding with its line.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Dir = Join-Path ([System.IO.Path]::GetTempPath()) ('macetools-gate-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $Dir | Out-Null
    $Fifo = Join-Path $Dir 'fifo'
    & mkfifo $Fifo
    $Big = Join-Path $Dir 'zeros-1G.bin'
    $Small = Join-Path $Dir 'zeros-10M.bin'
    foreach ($f in @(@($Big, 1GB), @($Small, 10MB))) {
        $s = [System.IO.File]::Create($f[0]); $s.SetLength($f[1]); $s.Dispose()
    }
}

AfterAll {
    Remove-Item -LiteralPath $Dir -Recurse -Force -ErrorAction SilentlyContinue
    Exit-MaceTestModule
}

Describe 'The input gate, through the cmdlets' {
    It 'Get-MaceProgram refuses <Name> with <Id>' -TestCases @(
        @{ Name = '/dev/zero'; Id = 'NotARegularFile' }
        @{ Name = 'a FIFO without a writer'; Id = 'NotARegularFile' }
        @{ Name = 'a 1 GB file'; Id = 'InputTooLarge' }
    ) {
        $path = switch ($Name) { '/dev/zero' { '/dev/zero' } 'a FIFO without a writer' { $Fifo } default { $Big } }
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        Get-MaceProgram -LiteralPath $path -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 20
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err[0].Exception.Message | Should -BeLike "$path*"
    }

    It 'Test-MaceProgram fails a file of zeros: no MACE file is 0 records and then bytes' {
        $r = Test-MaceProgram -LiteralPath $Small
        $r.Passed | Should -BeFalse
        $r.Findings[0].Code | Should -Be 'UnknownFormat'
    }

    It 'Test-MaceConfig reports an alias bomb at its line, at once' {
        $yml = Join-Path $Dir 'bomb.yml'
        $lines = @('a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]') + (1..9 | ForEach-Object { $p = $_ - 1; "a${_}: &a${_} [" + ((@("*a$p") * 9) -join ', ') + ']' })
        Set-Content -LiteralPath $yml -Value $lines
        $r = Test-MaceConfig -LiteralPath $yml
        $r.Passed | Should -BeFalse
        $f = $r.Findings | Where-Object Code -EQ 'YamlSyntax'
        $f.Line | Should -Be 6
        $f.Message | Should -BeLike '*past 100,000 nodes*'
    }
}
