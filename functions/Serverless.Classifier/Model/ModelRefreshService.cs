using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Classifier.Diagnostics;

namespace Serverless.Classifier.Model;

/// <summary>
/// Loads the model at start (retrying with backoff while the source is unavailable, so /api/ready turns 200 as soon
/// as it can) and then polls the source for a new version every <see cref="ClassifierOptions.ModelRefreshSeconds"/>,
/// swapping it in without failing requests. A failed refresh keeps serving the current version.
/// </summary>
internal sealed class ModelRefreshService(TextClassifier classifier, IOptions<ClassifierOptions> options, ILogger<ModelRefreshService> logger) : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await classifier.LoadAsync(stoppingToken).ConfigureAwait(false);
                break;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A ClassifierException was logged by TextClassifier (event 1002); anything else (storage or identity
                // failures) is logged here. Never let it end the host: try again.
                if (exception is not ClassifierException)
                {
                    Log.ModelRefreshFailed(logger, classifier.SourceDescription, ClassifierErrorKind.ModelUnavailable, null, exception);
                }

                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }

        var seconds = options.Value.ModelRefreshSeconds;
        if (seconds <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await classifier.RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A failed refresh keeps serving the current version; the next tick tries again.
                Log.ModelRefreshFailed(logger, classifier.SourceDescription, (exception as ClassifierException)?.Kind ?? ClassifierErrorKind.ModelUnavailable, classifier.Manifest?.Version, exception);
            }
        }
    }
}
