@description('Location of the identity.')
param location string

@description('Tags for the identity.')
param tags object

@description('User-assigned identity name.')
param name string

// Pulls the app's image. It exists (and holds AcrPull) before the app, so the first revision can pull its image;
// a system-assigned identity only exists once the app does.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output ID string = identity.id
output PRINCIPAL_ID string = identity.properties.principalId
