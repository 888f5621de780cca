@description('Location of the registry.')
param location string

@description('Tags for the registry.')
param tags object

@description('Registry name (alphanumeric, globally unique).')
param name string

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Basic' }
  properties: {
    // Pulls use the app's managed identity (AcrPull); no admin user, no anonymous pull.
    adminUserEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

output AZURE_CONTAINER_REGISTRY_ID string = registry.id
output AZURE_CONTAINER_REGISTRY_NAME string = registry.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.properties.loginServer
