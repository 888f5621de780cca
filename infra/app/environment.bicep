@description('Location of the environment.')
param location string

@description('Tags for the environment.')
param tags object

@description('Container Apps environment name.')
param name string

@description('Log Analytics workspace that receives the environment\'s console and system logs.')
param logAnalyticsWorkspaceId string

@description('Add a serverless GPU workload profile named "gpu".')
param gpu bool

@description('The serverless GPU profile type.')
param gpuProfileType string

// A workload-profiles environment: the Consumption profile always, the serverless GPU profile when asked for.
// NOTE: a GPU profile can only be added when the environment is created; switching gpu later means a new environment.
var consumption = [ { name: 'Consumption', workloadProfileType: 'Consumption' } ]
var gpuProfile = [ { name: 'gpu', workloadProfileType: gpuProfileType } ]

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    workloadProfiles: gpu ? concat(consumption, gpuProfile) : consumption
    // Logs go to Azure Monitor and from there to the workspace (diagnostic setting below): no workspace key in the template.
    appLogsConfiguration: { destination: 'azure-monitor' }
  }
}

resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: environment
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [ { categoryGroup: 'allLogs', enabled: true } ]
    metrics: [ { category: 'AllMetrics', enabled: true } ]
  }
}

output ID string = environment.id
output WORKLOAD_PROFILE_NAME string = gpu ? 'gpu' : 'Consumption'
