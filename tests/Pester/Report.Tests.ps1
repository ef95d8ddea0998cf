#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Export-MaceReport in real pwsh: real result objects from the pipeline, -WhatIf and -NoClobber, file names PowerShell
    would take for wildcards, and the chart library loaded from the module's Dependencies/ in its own load context.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Work = Join-Path ([System.IO.Path]::GetTempPath()) ('macetools-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 10))
    New-Item -ItemType Directory -Path $Work | Out-Null
    # Loads on the local device: every program refused (a foreign GPU's binaries), so the page has a chart of the loads.
    $Loaded = Test-MaceProgram -LiteralPath $Adreno -Device 0
}

AfterAll {
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction SilentlyContinue
    Exit-MaceTestModule
}

Describe 'Export-MaceReport' {
    It 'writes one page of the results piped in and says what it wrote' {
        $path = Join-Path $Work 'tests.html'
        $r = @(Test-MaceProgram -LiteralPath $Adreno, $Mali, $Tuning) + $Loaded | Export-MaceReport -Path $path
        $r | Should -BeOfType MaceTools.Report.MaceReport
        $r.Path | Should -Be $path
        $r.Results | Should -Be 4
        $r.Size | Should -Be (Get-Item -LiteralPath $path).Length
        $r.Charts | Should -Be @('chart-loads-4')
        $html = Get-Content -Raw -LiteralPath $path
        $html | Should -Match '<td>adreno-v0\.10\.1-rc4\.mace_cl_compiled_program\.bin</td>|adreno-v0\.10\.1-rc4'
        $html | Should -Match 'pocl-v1\.1\.1\.tuned_opencl_parameter\.bin'
        $html | Should -Not -Match '<script'
        ($r | Out-String) | Should -Match 'tests\.html'
    }

    It 'loads OxyPlot from Dependencies/ into the module''s own load context' {
        $Loaded | Export-MaceReport -Path (Join-Path $Work 'alc.html') | Out-Null
        $oxy = [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'OxyPlot' }
        $oxy | Should -Not -BeNullOrEmpty
        $oxy.Location | Should -BeLike '*Dependencies*OxyPlot.dll'
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($oxy).Name | Should -Be 'MaceTools-dependencies'
    }

    It '-WhatIf writes nothing' {
        $path = Join-Path $Work 'whatif.html'
        $Loaded | Export-MaceReport -Path $path -WhatIf | Should -BeNullOrEmpty
        $path | Should -Not -Exist
    }

    It '-NoClobber keeps an existing page and fails with OutputExists' {
        $path = Join-Path $Work 'kept.html'
        Set-Content -LiteralPath $path -Value 'mine'
        { $Loaded | Export-MaceReport -Path $path -NoClobber -ErrorAction Stop } | Should -Throw -ErrorId 'OutputExists*'
        Get-Content -Raw -LiteralPath $path | Should -Be "mine$([Environment]::NewLine)"
    }

    It 'takes a file name with wildcard characters, quotes and spaces as typed' {
        $name = "report [1] it's `$x *.html"
        $r = $Loaded | Export-MaceReport -Path (Join-Path $Work $name)
        $r.Path | Should -Be (Join-Path $Work $name)
        Get-ChildItem -LiteralPath $Work -Filter '*.html' | Where-Object Name -EQ $name | Should -Not -BeNullOrEmpty
    }

    It 'reports MaceTools errors piped in with 2>&1, with their ids' {
        $path = Join-Path $Work 'errors.html'
        $r = Test-MaceProgram -Path (Join-Path $Work 'no-such-*.bin'), $Adreno -ErrorAction Continue 2>&1 | Export-MaceReport -Path $path
        $r.Results | Should -Be 2
        Get-Content -Raw -LiteralPath $path | Should -Match '<td>FileNotFound</td>'
    }
}
