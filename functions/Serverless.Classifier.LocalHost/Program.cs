using Serverless.Classifier.LocalHost;

await using var app = await LocalHostApp.BuildAsync(args, overrides: null, CancellationToken.None);
await app.RunAsync();
