using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Microsoft.Azure.WebJobs.Host;

namespace Serverless.Classifier.LocalHost;

/// <summary>
/// Applies host.json's <c>extensions.queues</c> settings to the WebJobs queue listener, then app settings named as the
/// Functions host reads overrides (<c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c>...).
/// </summary>
internal static class HostJsonQueues
{
    public const string OverrideSection = "AzureFunctionsJobHost:extensions:queues";

    public static void Apply(QueuesOptions options, string hostJsonPath, IConfiguration configuration)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (File.Exists(hostJsonPath) && JsonNode.Parse(File.ReadAllText(hostJsonPath))?["extensions"]?["queues"] is JsonObject queues)
        {
            foreach (var (key, value) in queues)
            {
                settings[key] = value!.ToString();
            }
        }

        foreach (var child in configuration.GetSection(OverrideSection).GetChildren())
        {
            settings[child.Key] = child.Value!;
        }

        foreach (var (key, value) in settings)
        {
            switch (key.ToLowerInvariant())
            {
                case "batchsize":
                    options.BatchSize = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "newbatchthreshold":
                    options.NewBatchThreshold = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "maxdequeuecount":
                    options.MaxDequeueCount = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "visibilitytimeout":
                    options.VisibilityTimeout = TimeSpan.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "maxpollinginterval":
                    options.MaxPollingInterval = TimeSpan.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "messageencoding":
                    options.MessageEncoding = Enum.Parse<QueueMessageEncoding>(value, ignoreCase: true);
                    break;
                default:
                    throw new InvalidOperationException($"host.json extensions.queues.{key} is not supported by the local host; remove it or add it here.");
            }
        }
    }
}
