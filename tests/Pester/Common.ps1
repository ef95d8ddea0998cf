<#
    Shared set-up for every Pester file: dot-source it in the file's BeforeAll, and call Exit-MaceTestModule in its AfterAll.
        BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }
        AfterAll { Exit-MaceTestModule }
    It imports the built module (out/MaceTools) with out/ first on PSModulePath, so Get-Help finds about_MaceTools there,
    and defines $Repo, $Manifest, $Cmdlets, the real fixture paths and Get-Fixture.
#>
$Repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$Manifest = Join-Path $Repo 'out/MaceTools/MaceTools.psd1'
if (-not (Test-Path -LiteralPath $Manifest)) {
    throw "$Manifest is missing: run ./build.sh first"
}
$SavedModulePath = $env:PSModulePath
$env:PSModulePath = (Join-Path $Repo 'out') + [System.IO.Path]::PathSeparator + $env:PSModulePath
Get-Module MaceTools | Remove-Module -Force
Import-Module $Manifest -Force -ErrorAction Stop -WarningVariable ImportWarnings

function Get-Fixture([string] $Name) {
    foreach ($dir in @((Join-Path $Repo 'examples/mace-files'), (Join-Path $Repo '../shared/fixtures/real'))) {
        $path = Join-Path $dir $Name
        if (Test-Path -LiteralPath $path) { return (Resolve-Path -LiteralPath $path).ProviderPath }
    }
    throw "test fixture '$Name' not found in examples/mace-files or ../shared/fixtures/real"
}

function Exit-MaceTestModule {
    Get-Module MaceTools | Remove-Module -Force
    $env:PSModulePath = $SavedModulePath
}

$Adreno = Get-Fixture 'adreno-v0.10.1-rc4.mace_cl_compiled_program.bin'
$Mali = Get-Fixture 'mali-r20p0-v0.12.0-28.mace_cl_compiled_program.bin'
$Tuning = Get-Fixture 'pocl-v1.1.1.tuned_opencl_parameter.bin'
$Cmdlets = @('Compare-MaceProgram', 'Convert-MaceProgram', 'Export-MaceProgram', 'Export-MaceReport', 'Get-MaceConfig', 'Get-MaceDevice', 'Get-MaceKernel', 'Get-MaceProgram', 'Get-MaceProgramEntry',
    'Get-MaceTuningParameter', 'Invoke-MaceModel', 'Measure-MaceModel', 'Measure-MaceProgram', 'Merge-MaceProgram', 'New-MaceProgram', 'Optimize-MaceProgram', 'Publish-MaceProgram', 'Test-MaceConfig', 'Test-MaceModel', 'Test-MaceProgram')
$Softmax = 'softmax -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dsoftmax=s4wA5uH'
