@description('Location of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Log Analytics workspace name.')
param logAnalyticsName string

@description('Application Insights component name.')
param applicationInsightsName string

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
    // Local (shared key) auth off: agents and queries use Microsoft Entra ID.
    features: { disableLocalAuth: true }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    // Telemetry is accepted only with a Microsoft Entra token (the app's identity), never with the instrumentation key alone.
    DisableLocalAuth: true
  }
}

output LOG_ANALYTICS_WORKSPACE_ID string = logAnalytics.id
output APPLICATIONINSIGHTS_ID string = applicationInsights.id
output APPLICATIONINSIGHTS_NAME string = applicationInsights.name
@description('Endpoint identifier, not a credential: local auth is disabled, so ingestion also needs an Entra token.')
output APPLICATIONINSIGHTS_CONNECTION_STRING string = applicationInsights.properties.ConnectionString
