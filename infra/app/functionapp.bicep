@description('Location of the app.')
param location string

@description('Tags for the app (azd finds the service by azd-service-name).')
param tags object

@description('Container app name.')
param name string

@description('Container Apps environment resource id.')
param environmentId string

@description('Workload profile the app runs on: "gpu" (serverless GPU) or "Consumption" (CPU).')
param workloadProfileName string

@description('Image to run; before the first azd deploy a public Functions base image stands in.')
param image string

@description('Registry login server the image is pulled from.')
param registryServer string

@description('User-assigned identity (resource id) that holds AcrPull on the registry.')
param pullIdentityId string

@description('vCPUs per replica.')
param cpu string

@description('Memory per replica, for example "8Gi".')
param memory string

@description('Fewest replicas: 0 scales to zero when idle (a cold start on the next request or job); 1 keeps one warm.')
@minValue(0)
param minReplicas int = 0

@description('Most replicas.')
@minValue(1)
param maxReplicas int

@description('Jobs one replica runs at once (host.json queues batchSize, overridden as an app setting); the platform derives the queue scaler from the queue settings, so this is also the queued messages per replica.')
@minValue(1)
@maxValue(16)
param jobsPerReplica int = 1

@description('Host storage account name (AzureWebJobsStorage, job queues).')
param hostStorageAccountName string

@description('Blob endpoint of the data account (models, inputs, outputs).')
param dataBlobEndpoint string

@description('Application Insights connection string (an endpoint identifier; local auth is disabled).')
param applicationInsightsConnectionString string

@description('Blob container of the data account that holds model packages.')
param modelContainer string

@description('Model to serve: packages live under <modelContainer>/<modelName>/.')
param modelName string

@description('Pinned package version; empty to follow <modelName>/latest.json.')
param modelVersion string

@description('ONNX Runtime execution provider: "cuda" on GPU profiles, "cpu" otherwise.')
@allowed([ 'cpu', 'cuda', 'auto' ])
param executionProvider string

@description('Queue the batch trigger listens on.')
param jobQueueName string = 'classify-jobs'

// Settings hold names and endpoints only: every connection is identity-based.
// NOTE: for kind functionapp the platform derives the queue scaler from the trigger and its connection
// (AzureWebJobsStorage). Reports show a user-assigned identity can leave that scaler unconfigured, while the
// system-assigned identity is documented to work, so storage uses the system-assigned identity (credential
// "managedidentity" with no client id) and no scale rule is written by hand. The user-assigned identity only pulls images.
var settings = [
  { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'dotnet-isolated' }
  { name: 'AzureWebJobsStorage__accountName', value: hostStorageAccountName }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'ClassifierStorage__blobServiceUri', value: dataBlobEndpoint }
  { name: 'ClassifierStorage__credential', value: 'managedidentity' }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD' }
  { name: 'ClassifyQueueName', value: jobQueueName }
  { name: 'Classifier__ModelContainer', value: modelContainer }
  { name: 'Classifier__ModelName', value: modelName }
  { name: 'Classifier__ModelVersion', value: modelVersion }
  { name: 'Classifier__ExecutionProvider', value: executionProvider }
  { name: 'Classifier__CachePath', value: '/tmp/models' }
  { name: 'AzureFunctionsJobHost__extensions__queues__batchSize', value: string(jobsPerReplica) }
]

resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp'
  identity: {
    type: 'SystemAssigned,UserAssigned'
    userAssignedIdentities: { '${pullIdentityId}': {} }
  }
  properties: {
    managedEnvironmentId: environmentId
    workloadProfileName: workloadProfileName
    configuration: {
      activeRevisionsMode: 'Single'
      // Ingress is required for scaling functionapp containers, and serves the HTTP trigger.
      ingress: {
        external: true
        targetPort: 80
        transport: 'auto'
        allowInsecure: false
      }
      registries: [ { server: registryServer, identity: pullIdentityId } ]
    }
    template: {
      containers: [
        {
          name: 'classifier'
          image: image
          resources: { cpu: json(cpu), memory: memory }
          env: settings
          // Ready once a model is loaded (after a scale-from-zero: image pull, model download, session creation), so
          // requests do not meet 503s; alive as long as the host answers. With ExecutionProvider cuda, a replica whose
          // CUDA cannot load stays not ready and /api/ready says why.
          probes: [
            {
              type: 'Startup'
              httpGet: { path: '/api/health', port: 80 }
              periodSeconds: 5
              failureThreshold: 60
            }
            {
              type: 'Readiness'
              httpGet: { path: '/api/ready', port: 80 }
              periodSeconds: 5
              failureThreshold: 3
            }
            {
              type: 'Liveness'
              httpGet: { path: '/api/health', port: 80 }
              periodSeconds: 30
              failureThreshold: 3
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
      }
    }
  }
}

output NAME string = app.name
output URI string = 'https://${app.properties.configuration.ingress.fqdn}'
output PRINCIPAL_ID string = app.identity.principalId
