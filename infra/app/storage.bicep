@description('Location of the storage accounts.')
param location string

@description('Tags for the storage accounts.')
param tags object

@description('Account for the Functions host (AzureWebJobsStorage: keys, leases) and the job queues.')
param hostAccountName string

@description('Account for model packages and batch inputs and outputs.')
param dataAccountName string

@description('Blob containers of the data account.')
param containers string[] = [ 'models', 'inputs', 'outputs' ]

@description('Queues of the host account. The poison queue exists up front: a missing one has kept queue scalers at their maximum.')
param queues string[] = [ 'classify-jobs', 'classify-jobs-poison', 'classify-jobs-rejected' ]

// Identity-only access: no shared keys, no anonymous blobs, HTTPS with TLS 1.2 or later.
var secureProperties = {
  allowSharedKeyAccess: false
  allowBlobPublicAccess: false
  defaultToOAuthAuthentication: true
  minimumTlsVersion: 'TLS1_2'
  supportsHttpsTrafficOnly: true
  publicNetworkAccess: 'Enabled'
  allowCrossTenantReplication: false
}

resource hostAccount 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: hostAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: secureProperties
}

resource hostQueues 'Microsoft.Storage/storageAccounts/queueServices@2024-01-01' = {
  parent: hostAccount
  name: 'default'
}

resource queue 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' = [for name in queues: {
  parent: hostQueues
  name: name
}]

resource dataAccount 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: dataAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: secureProperties
}

resource dataBlobs 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: dataAccount
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = [for name in containers: {
  parent: dataBlobs
  name: name
  properties: { publicAccess: 'None' }
}]

output HOST_STORAGE_ACCOUNT_NAME string = hostAccount.name
output DATA_STORAGE_ACCOUNT_NAME string = dataAccount.name
output DATA_BLOB_ENDPOINT string = dataAccount.properties.primaryEndpoints.blob
output HOST_QUEUE_ENDPOINT string = hostAccount.properties.primaryEndpoints.queue
