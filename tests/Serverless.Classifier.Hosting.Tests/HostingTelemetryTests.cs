using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using Serverless.Classifier.Hosting.Diagnostics;

namespace Serverless.Classifier.Hosting.Tests;

public sealed class HostingTelemetryTests
{
    [Theory]
    [InlineData(null, null, "")]
    [InlineData("http://127.0.0.1:4318", null, "otlp")]
    [InlineData(null, "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://example.invalid/", "azure-monitor")]
    [InlineData("http://127.0.0.1:4318", "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://example.invalid/", "otlp,azure-monitor")]
    public void AddClassifierTelemetry_RegistersTheExportersTheSettingsAskFor(string? otlp, string? appInsights, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp,
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = appInsights,
        }).Build();
        var services = new ServiceCollection();

        var exporters = services.AddClassifierTelemetry(configuration);

        Assert.Equal(expected, string.Join(",", exporters));
        using var provider = services.BuildServiceProvider();
        Assert.Equal(expected.Length > 0, provider.GetService<TracerProvider>() is not null);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("Authorization=AAD", null)]
    [InlineData("Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555", "11111111-2222-3333-4444-555555555555")]
    [InlineData(" authorization = AAD ; clientid = abc ", "abc")]
    [InlineData("Authorization=AAD;ClientId=", null)]
    public void ClientId_IsTheUserAssignedIdentityTheAuthenticationStringNames(string? authentication, string? clientId) =>
        Assert.Equal(clientId, HostingTelemetry.ClientId(authentication));

    [Theory]
    [InlineData("not a url")]
    [InlineData("127.0.0.1:4318")]
    [InlineData("ftp://collector:21")]
    public void AddClassifierTelemetry_MalformedOtlpEndpoint_IsRefusedWithTheSettingAndTheFix(string endpoint)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint }).Build();

        var exception = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddClassifierTelemetry(configuration));

        Assert.Equal(
            $"OTEL_EXPORTER_OTLP_ENDPOINT is '{endpoint}'; set it to the collector's http:// or https:// address (such as http://127.0.0.1:4318), or unset it.",
            exception.Message);
    }
}
