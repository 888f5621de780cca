using System.Diagnostics;
using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Serverless.Classifier.Hosting.Diagnostics;

/// <summary>
/// OpenTelemetry for both hosts: the engine's meter and spans (<see cref="ClassifierTelemetry"/>), the job spans of
/// <see cref="ActivitySourceName"/> and ASP.NET Core's request spans, exported to OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard <c>OTEL_*</c> settings apply) and to Azure Monitor when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, with the managed identity (no instrumentation key is used to
/// authenticate; <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> may name a user-assigned identity's <c>ClientId</c>).
/// With neither set nothing is registered and the instrumentation costs nothing. No Prometheus endpoint: its
/// OpenTelemetry exporter has only prerelease packages.
/// </summary>
public static class HostingTelemetry
{
    /// <summary>The hosting layer's activity source: one <c>classify job</c> span per job message.</summary>
    public const string ActivitySourceName = "Serverless.Classifier.Hosting";

    /// <summary>The service name in exported telemetry unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public const string DefaultServiceName = "serverless-classifier";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>Registers OpenTelemetry with the exporters the configuration asks for.</summary>
    /// <returns>The exporters registered: <c>otlp</c>, <c>azure-monitor</c>, or none.</returns>
    public static IReadOnlyList<string> AddClassifierTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var endpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var otlp = !string.IsNullOrWhiteSpace(endpoint);
        if (otlp && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            // The exporter would accept it and then export nothing, silently: refuse at start-up with the fix.
            throw new OptionsValidationException(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                typeof(HostingTelemetry),
                [$"OTEL_EXPORTER_OTLP_ENDPOINT is '{endpoint}'; set it to the collector's http:// or https:// address (such as http://127.0.0.1:4318), or unset it."]);
        }

        var azureMonitor = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"] is { Length: > 0 } connection ? connection : null;
        if (!otlp && azureMonitor is null)
        {
            return [];
        }

        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : DefaultServiceName))
            .WithTracing(tracing => tracing.AddSource(ClassifierTelemetry.ActivitySourceName, ActivitySourceName).AddAspNetCoreInstrumentation())
            .WithMetrics(metrics => metrics.AddMeter(ClassifierTelemetry.MeterName));
        var exporters = new List<string>();
        if (otlp)
        {
            builder.UseOtlpExporter();
            exporters.Add("otlp");
        }

        if (azureMonitor is not null)
        {
            var credential = ManagedIdentity(configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
            builder
                .WithTracing(tracing => tracing.AddAzureMonitorTraceExporter(o => (o.ConnectionString, o.Credential) = (azureMonitor, credential)))
                .WithMetrics(metrics => metrics.AddAzureMonitorMetricExporter(o => (o.ConnectionString, o.Credential) = (azureMonitor, credential)));
            exporters.Add("azure-monitor");
        }

        return exporters;
    }

    /// <summary>The managed identity named by an Application Insights authentication string
    /// (<c>Authorization=AAD</c>, optionally <c>;ClientId=&lt;guid&gt;</c>): system-assigned unless a client id is given.</summary>
    internal static TokenCredential ManagedIdentity(string? authenticationString) =>
        new ManagedIdentityCredential(ClientId(authenticationString) is { } clientId ? ManagedIdentityId.FromUserAssignedClientId(clientId) : ManagedIdentityId.SystemAssigned);

    /// <summary>The <c>ClientId</c> of an Application Insights authentication string, or null (system-assigned).</summary>
    internal static string? ClientId(string? authenticationString) =>
        (authenticationString ?? string.Empty).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2, StringSplitOptions.TrimEntries))
            .FirstOrDefault(pair => pair.Length == 2 && pair[0].Equals("ClientId", StringComparison.OrdinalIgnoreCase) && pair[1].Length > 0)?[1];
}
