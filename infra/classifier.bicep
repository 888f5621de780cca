// The Functions app alone, at resource-group scope: what `azd deploy` applies for the classifier service (azd finds
// infra/<service>.bicep with its .parameters.json and deploys it with the image it just pushed, instead of copying the
// latest revision's template at an API version without `kind`, which broke the second deploy with
// ContainerAppScaleRuleMissingAuth). `azd provision` creates the same app through the same module (main.bicep), so
// both paths keep kind functionapp, the identities, the probes and the settings; its outputs feed these parameters.
targetScope = 'resourceGroup'

@description('Region of the app (the provisioned one).')
param location string

@description('Container app name (the provisioned one).')
param name string

@description('Tags of the app; azd-service-name lets azd find it.')
param tags object

@description('Image azd deploy just pushed (SERVICE_CLASSIFIER_IMAGE_NAME).')
param image string

@description('Container Apps environment resource id.')
param environmentId string

@description('Workload profile: "gpu" or "Consumption".')
param workloadProfileName string

@description('Registry login server.')
param registryServer string

@description('User-assigned identity (resource id) that pulls images.')
param pullIdentityId string

@description('vCPUs per replica.')
param cpu string

@description('Memory per replica.')
param memory string

// Numbers arrive as strings: they come from azd environment values substituted into classifier.parameters.json.
@description('Fewest replicas (a whole number as text).')
param minReplicas string

@description('Most replicas (a whole number as text).')
param maxReplicas string

@description('Jobs one replica runs at once (a whole number as text).')
param jobsPerReplica string

@description('Host storage account name.')
param hostStorageAccountName string

@description('Blob endpoint of the data account.')
param dataBlobEndpoint string

@description('Application Insights component name (its connection string is read here rather than passed around).')
param applicationInsightsName string

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

@description('Model to serve.')
param modelName string

@description('Pinned model version; empty to follow latest.json.')
param modelVersion string

@description('Execution provider: cuda on the GPU profile, cpu otherwise.')
param executionProvider string

module classifier 'app/functionapp.bicep' = {
  name: 'classifier-app'
  params: {
    location: location
    tags: tags
    name: name
    environmentId: environmentId
    workloadProfileName: workloadProfileName
    image: image
    registryServer: registryServer
    pullIdentityId: pullIdentityId
    cpu: cpu
    memory: memory
    minReplicas: int(minReplicas)
    maxReplicas: int(maxReplicas)
    jobsPerReplica: int(jobsPerReplica)
    hostStorageAccountName: hostStorageAccountName
    dataBlobEndpoint: dataBlobEndpoint
    applicationInsightsConnectionString: applicationInsights.properties.ConnectionString
    modelContainer: 'models'
    modelName: modelName
    modelVersion: modelVersion
    executionProvider: executionProvider
  }
}

output SERVICE_CLASSIFIER_NAME string = classifier.outputs.NAME
output SERVICE_CLASSIFIER_URI string = classifier.outputs.URI
