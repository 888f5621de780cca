targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names and tags every resource.')
param environmentName string

@description('Region. With gpu true it must offer serverless GPU workload profiles (Container Apps documentation, "Using serverless GPUs": West US 3, Australia East and Sweden Central when this was written; the list grows, so it is not fixed here and a region without them fails at the environment).')
param location string

@description('Run the app on a serverless GPU workload profile (true) or on the Consumption CPU profile (false: cheaper, for dev and test). Fixed at environment creation.')
param gpu bool = true

@description('The serverless GPU profile type (needs GPU quota in the subscription and region).')
@allowed([ 'Consumption-GPU-NC8as-T4', 'Consumption-GPU-NC24-A100' ])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('Principal id of the deployer, granted rights to publish models and submit jobs; azd sets AZURE_PRINCIPAL_ID. Empty for none.')
param principalId string = ''

@description('Type of that principal: User when a person runs azd, ServicePrincipal in CI; azd sets AZURE_PRINCIPAL_TYPE.')
@allowed([ 'User', 'ServicePrincipal', 'Group' ])
param principalType string = 'User'

@description('Model to serve (packages under models/<modelName>/).')
param modelName string = 'arctic-xs-sentiment'

@description('Pinned model version; empty to follow models/<modelName>/latest.json.')
param modelVersion string = ''

@description('Image of the Functions app; azd deploy sets it. Empty runs a public Functions base image until the first deploy.')
param classifierImageName string = ''

@description('Most replicas the app scales out to.')
@minValue(1)
param maxReplicas int = 10

@description('Fewest replicas: 0 scales to zero when idle (pay nothing, cold start on the next request); 1 keeps one replica warm.')
@minValue(0)
param minReplicas int = 0

@description('Jobs one replica runs at once, which is also the queued messages per replica the platform scales to (host.json queues batchSize).')
@minValue(1)
@maxValue(16)
param jobsPerReplica int = 1

var abbreviations = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

// Replica size: serverless GPU replicas get the T4 or A100 profile's full allocation. CPU replicas get 2 vCPU / 4 GiB:
// the encoder runs 2 intra-op threads (docs/benchmarks.md) and the process with a loaded ~90 MB encoder, sessions and
// request buffers stays well under 1 GiB, so 4 GiB leaves room for a second model version during a hot swap.
var replica = gpu
  ? (gpuProfileType == 'Consumption-GPU-NC8as-T4' ? { cpu: '8.0', memory: '56Gi' } : { cpu: '24.0', memory: '220Gi' })
  : { cpu: '2.0', memory: '4Gi' }

resource resourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbreviations.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    logAnalyticsName: '${abbreviations.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbreviations.insightsComponents}${resourceToken}'
  }
}

module registry 'app/registry.bicep' = {
  name: 'registry'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    name: '${abbreviations.containerRegistryRegistries}${resourceToken}'
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    hostAccountName: '${abbreviations.storageStorageAccounts}host${resourceToken}'
    dataAccountName: '${abbreviations.storageStorageAccounts}data${resourceToken}'
  }
}

module pullIdentity 'app/identity.bicep' = {
  name: 'pull-identity'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    name: '${abbreviations.managedIdentityUserAssignedIdentities}pull-${resourceToken}'
  }
}

module acrPull 'app/acr-pull.bicep' = {
  name: 'acr-pull'
  scope: resourceGroup
  params: {
    registryName: registry.outputs.AZURE_CONTAINER_REGISTRY_NAME
    pullPrincipalId: pullIdentity.outputs.PRINCIPAL_ID
  }
}

module environment 'app/environment.bicep' = {
  name: 'environment'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    name: '${abbreviations.appManagedEnvironments}${resourceToken}'
    logAnalyticsWorkspaceId: monitoring.outputs.LOG_ANALYTICS_WORKSPACE_ID
    gpu: gpu
    gpuProfileType: gpuProfileType
  }
}

module classifier 'app/functionapp.bicep' = {
  name: 'classifier'
  scope: resourceGroup
  params: {
    location: location
    tags: union(tags, { 'azd-service-name': 'classifier' })
    name: '${abbreviations.appContainerApps}classifier-${resourceToken}'
    environmentId: environment.outputs.ID
    workloadProfileName: environment.outputs.WORKLOAD_PROFILE_NAME
    image: empty(classifierImageName) ? 'mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated8.0' : classifierImageName
    registryServer: registry.outputs.AZURE_CONTAINER_REGISTRY_ENDPOINT
    pullIdentityId: pullIdentity.outputs.ID
    cpu: replica.cpu
    memory: replica.memory
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    jobsPerReplica: jobsPerReplica
    hostStorageAccountName: storage.outputs.HOST_STORAGE_ACCOUNT_NAME
    dataBlobEndpoint: storage.outputs.DATA_BLOB_ENDPOINT
    applicationInsightsConnectionString: monitoring.outputs.APPLICATIONINSIGHTS_CONNECTION_STRING
    modelContainer: 'models'
    modelName: modelName
    modelVersion: modelVersion
    executionProvider: gpu ? 'cuda' : 'cpu'
  }
  // The first revision pulls from the registry with the pull identity: its AcrPull must exist first.
  dependsOn: [ acrPull ]
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: resourceGroup
  params: {
    hostStorageAccountName: storage.outputs.HOST_STORAGE_ACCOUNT_NAME
    dataStorageAccountName: storage.outputs.DATA_STORAGE_ACCOUNT_NAME
    applicationInsightsName: monitoring.outputs.APPLICATIONINSIGHTS_NAME
    appPrincipalId: classifier.outputs.PRINCIPAL_ID
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.AZURE_CONTAINER_REGISTRY_ENDPOINT
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.AZURE_CONTAINER_REGISTRY_NAME
output SERVICE_CLASSIFIER_NAME string = classifier.outputs.NAME
output SERVICE_CLASSIFIER_URI string = classifier.outputs.URI
output HOST_STORAGE_ACCOUNT_NAME string = storage.outputs.HOST_STORAGE_ACCOUNT_NAME
output DATA_STORAGE_ACCOUNT_NAME string = storage.outputs.DATA_STORAGE_ACCOUNT_NAME
output DATA_BLOB_ENDPOINT string = storage.outputs.DATA_BLOB_ENDPOINT
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.APPLICATIONINSIGHTS_NAME
// What infra/classifier.bicep needs when azd deploy re-applies the app (classifier.parameters.json reads these).
output CLASSIFIER_ENVIRONMENT_ID string = environment.outputs.ID
output CLASSIFIER_WORKLOAD_PROFILE string = environment.outputs.WORKLOAD_PROFILE_NAME
output CLASSIFIER_PULL_IDENTITY_ID string = pullIdentity.outputs.ID
output CLASSIFIER_CPU string = replica.cpu
output CLASSIFIER_MEMORY string = replica.memory
output CLASSIFIER_MIN_REPLICAS string = string(minReplicas)
output CLASSIFIER_MAX_REPLICAS string = string(maxReplicas)
output CLASSIFIER_JOBS_PER_REPLICA string = string(jobsPerReplica)
output CLASSIFIER_MODEL_NAME string = modelName
output CLASSIFIER_MODEL_VERSION string = modelVersion
output CLASSIFIER_EXECUTION_PROVIDER string = gpu ? 'cuda' : 'cpu'
