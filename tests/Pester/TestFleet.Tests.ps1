BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
}
AfterAll {
    Remove-Module TestFleet -Force -ErrorAction SilentlyContinue
    Exit-MaceTestModule
}

Describe 'The ssh test fleet for Pester (Start-MaceTestFleet)' {
    It 'serves a named host that Get-MaceDevice -Inventory reaches, and takes it all down again' {
        $fleet = Start-MaceTestFleet -Hosts pi
        $toolId = $fleet.Process.Id
        try {
            $fleet.Hosts.name | Should -Be @('pi')
            $fleet.DevicesYml | Should -Exist
            $fleet.Hosts[0].uploadDir | Should -Exist
            $devices = @(Get-MaceDevice -Inventory $fleet.DevicesYml -Target pi -ErrorVariable errors)
            $errors | Should -BeNullOrEmpty
            $devices.Count | Should -BeGreaterThan 0
            $devices | ForEach-Object {
                $_.Target | Should -Be 'pi'
                $_.Transport | Should -Be 'ssh'
                $_.Address | Should -Be "root@$($fleet.Hosts[0].address):$($fleet.Hosts[0].port)"
            }
        }
        finally { Stop-MaceTestFleet $fleet }
        Get-Process -Id $toolId -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $fleet.Dir | Should -Not -Exist
        (ip netns list) -match "^mtssh$($toolId)x" | Should -BeNullOrEmpty
    }

    It 'says why when the fleet cannot start' {
        { Start-MaceTestFleet -Hosts 'no/such' } | Should -Throw '*exited with 1*host name*'
    }
}
