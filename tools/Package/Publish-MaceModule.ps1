<#
    Writes the module's .nupkg the way admins publish modules: Publish-PSResource (PSResourceGet, shipped with pwsh 7.4+)
    to a throw-away local repository, then the package is moved to -OutDir. Run it with XDG_DATA_HOME (and on Windows
    LOCALAPPDATA) pointing at a scratch folder, so the repository registration never touches the user's own list.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutDir
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$scratch = Join-Path ([System.IO.Path]::GetTempPath()) ('macetools-repo-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $scratch | Out-Null
$name = 'MaceToolsBuild-' + (Split-Path -Leaf $scratch)
try {
    Register-PSResourceRepository -Name $name -Uri $scratch -Trusted
    try {
        Publish-PSResource -Path $ModulePath -Repository $name
    } finally {
        Unregister-PSResourceRepository -Name $name
    }
    $nupkg = @(Get-ChildItem -LiteralPath $scratch -Filter '*.nupkg')
    if ($nupkg.Count -ne 1) { throw "Publish-PSResource left $($nupkg.Count) packages in $scratch" }
    $target = Join-Path $OutDir $nupkg[0].Name
    Move-Item -LiteralPath $nupkg[0].FullName -Destination $target -Force
    $target
} finally {
    Remove-Item -LiteralPath $scratch -Recurse -Force -ErrorAction SilentlyContinue
}
