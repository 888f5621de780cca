using System.CommandLine;
using System.Text.Json;
using ModelExport.Data;
using ModelExport.Evaluation;
using Serverless.Classifier.Model;

namespace ModelExport.Commands;

/// <summary>
/// <c>calibrate --model DIR --data FILE [--head NAME] [--check-data FILE ...] [--model-version V]</c>: fits the head's
/// temperature on labelled data (minimum negative log-likelihood) and, for a sigmoid head, per-label thresholds that
/// maximize F1; writes them into the package's manifest and prints calibration error and accuracy (or micro-F1) before
/// and after, on the fitting data and on each check file (held-out data tells whether calibration generalizes).
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create(CommandContext context)
    {
        var model = Options.ServedModel();
        var data = Options.RequiredFile("--data", "Labelled JSON Lines to fit on: {\"text\", \"label\"} for softmax heads; {\"text\", \"labels\": [...]} for sigmoid heads.");
        var head = Options.Head();
        var check = new Option<string[]>("--check-data") { Description = "Held-out labelled JSON Lines to report calibration on (repeatable).", AllowMultipleArgumentsPerToken = true };
        var version = new Option<string>("--model-version") { Description = "A new version for the package (its manifest changes; publish it under a new version)." };
        var command = new Command("calibrate", "Fit a head's temperature (and a sigmoid head's per-label thresholds) and write them into the package.") { model, data, head, check, version };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var directory = parse.GetValue(model)!;
            ModelManifest manifest;
            HeadManifest target;
            List<object> reports = [];
            double temperature;
            double[]? thresholds = null;
            using (var classifier = new ServingClassifier(context, directory))
            {
                await classifier.Classifier.LoadAsync(cancellationToken);
                manifest = classifier.Classifier.Manifest!;
                var headName = parse.GetValue(head) ?? manifest.DefaultHead;
                target = manifest.Heads.FirstOrDefault(h => h.Name == headName)
                    ?? throw new ModelExportException($"Head '{headName}' does not exist; the package has [{string.Join(", ", manifest.Heads.Select(h => h.Name))}].");
                var sigmoid = target.Activation == Activation.Sigmoid;
                if (target.Activation == Activation.None)
                {
                    throw new ModelExportException($"Head '{target.Name}' has activation none (raw scores); only softmax and sigmoid heads give probabilities to calibrate.");
                }

                var fit = await ReadAsync(classifier, target, parse.GetValue(data)!, cancellationToken);
                temperature = sigmoid
                    ? Calibration.FitTemperature(t => Calibration.SigmoidNll(fit.Logits, fit.Present!, t))
                    : Calibration.FitTemperature(t => Calibration.SoftmaxNll(fit.Logits, fit.Truth!, t));
                temperature = Math.Round(temperature, 4);
                if (sigmoid)
                {
                    thresholds = [.. Calibration.FitThresholds(Calibration.Sigmoid(fit.Logits, temperature), fit.Present!).Select(t => Math.Round(t, 4))];
                }

                var after = target with { Temperature = temperature, Thresholds = thresholds ?? target.Thresholds };
                reports.Add(Report("fit", fit, target, after));
                foreach (var path in parse.GetValue(check) ?? [])
                {
                    reports.Add(Report("check", await ReadAsync(classifier, target, path, cancellationToken), target, after));
                }
            }

            var written = manifest with
            {
                Version = parse.GetValue(version) ?? manifest.Version,
                Heads = [.. manifest.Heads.Select(h => h.Name == target.Name ? h with { Temperature = temperature, Thresholds = thresholds ?? h.Thresholds } : h)],
            };
            await ModelPackage.WriteManifestAsync(directory, written, cancellationToken);
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(
                new { model = written.Name, version = written.Version, head = target.Name, activation = target.Activation.ToString().ToLowerInvariant(), temperature, thresholds, reports },
                Json.Report));
            return 0;
        });
        return command;
    }

    /// <summary>A file's raw logits and its truth: label indices (softmax heads) or label sets (sigmoid heads).</summary>
    private sealed record Scored(string Path, IReadOnlyList<float[]> Logits, int[]? Truth, bool[][]? Present);

    private static async Task<Scored> ReadAsync(ServingClassifier classifier, HeadManifest head, string path, CancellationToken cancellationToken)
    {
        var labels = head.Labels.ToArray();
        IReadOnlyList<string> texts;
        int[]? truth = null;
        bool[][]? present = null;
        if (head.Activation == Activation.Sigmoid)
        {
            var examples = LabelledData.ReadSets(path);
            texts = [.. examples.Select(e => e.Text)];
            present = [.. examples.Select((e, line) => labels.Select(l => e.Labels.Contains(l)).ToArray() is var row && e.Labels.All(labels.Contains)
                ? row
                : throw new ModelExportException($"'{path}' example {line + 1} has labels [{string.Join(", ", e.Labels)}]; head '{head.Name}' has [{string.Join(", ", labels)}]."))];
        }
        else
        {
            var examples = LabelledData.Read(path);
            texts = [.. examples.Select(e => e.Text)];
            truth = TrainHeadCommand.LabelIndices(examples, labels);
        }

        var logits = new List<float[]>(texts.Count);
        await foreach (var scored in classifier.ClassifyAsync(texts, head.Name, cancellationToken, functionToApply: Activation.None))
        {
            logits.Add([.. scored.Scores]);
        }

        return new Scored(path, logits, truth, present);
    }

    private static object Report(string role, Scored data, HeadManifest before, HeadManifest after)
    {
        var (t0, t1) = (before.Temperature ?? 1, after.Temperature ?? 1);
        if (data.Present is { } present)
        {
            var (p0, p1) = (Calibration.Sigmoid(data.Logits, t0), Calibration.Sigmoid(data.Logits, t1));
            var thresholds0 = before.Labels.Select((_, i) => before.ThresholdOf(i)).ToArray();
            var thresholds1 = after.Labels.Select((_, i) => after.ThresholdOf(i)).ToArray();
            return new
            {
                role,
                data = data.Path,
                examples = data.Logits.Count,
                nll = Pair(Calibration.SigmoidNll(data.Logits, present, t0), Calibration.SigmoidNll(data.Logits, present, t1)),
                ece = Pair(Calibration.MarginalEce(p0, present), Calibration.MarginalEce(p1, present)),
                microF1 = Pair(Calibration.MicroF1(p0, present, thresholds0), Calibration.MicroF1(p1, present, thresholds1)),
            };
        }

        var truth = data.Truth!;
        var (q0, q1) = (Calibration.Softmax(data.Logits, t0), Calibration.Softmax(data.Logits, t1));
        double Accuracy(float[][] probabilities) => (double)probabilities.Where((p, i) => Array.IndexOf(p, p.Max()) == truth[i]).Count() / truth.Length;
        return new
        {
            role,
            data = data.Path,
            examples = data.Logits.Count,
            nll = Pair(Calibration.SoftmaxNll(data.Logits, truth, t0), Calibration.SoftmaxNll(data.Logits, truth, t1)),
            ece = Pair(Calibration.TopLabelEce(q0, truth), Calibration.TopLabelEce(q1, truth)),
            accuracy = Pair(Accuracy(q0), Accuracy(q1)),
        };
    }

    private static object Pair(double before, double after) => new { before = Math.Round(before, 4), after = Math.Round(after, 4) };
}
