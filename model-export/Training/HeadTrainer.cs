using System.Numerics.Tensors;

namespace ModelExport.Training;

/// <summary>
/// Trains a linear or MLP head on frozen encoder features with softmax cross-entropy and AdamW, mini-batches in a
/// seeded order, keeping the weights of the epoch with the lowest dev loss. Single-threaded and deterministic.
/// </summary>
/// <remarks>
/// Written here rather than taken from a library: the heads are one or two dense layers on a few thousand cached
/// vectors, and the .NET options (ML.NET, TorchSharp) would add hundreds of megabytes of native code to a tool that
/// otherwise needs only ONNX Runtime. The math is the textbook one and is checked against finite differences in tests.
/// </remarks>
internal static class HeadTrainer
{
    public static TrainedHead Train(FeatureSet train, FeatureSet? dev, int labelCount, HeadTrainingOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (options.Shape == HeadShape.Pooler)
        {
            throw new ModelExportException("Pooler heads (BERT's pooler + classifier) are imported from checkpoints with import-hf, not trained; train an mlp or linear head.");
        }

        var random = new Random(options.Seed);
        var model = Parameters.Initialize(options.Shape, train.HiddenSize, labelCount, random);
        var adam = new AdamState(model);
        var best = model.Clone();
        var bestLoss = double.PositiveInfinity;
        var epochsWithoutImprovement = 0;
        var order = Enumerable.Range(0, train.Rows).ToArray();
        var gradients = model.ZerosLike();
        var step = 0;

        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            random.Shuffle(order);
            double trainLoss = 0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                var batch = order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start));
                gradients.Clear();
                trainLoss += model.Backward(train, batch, gradients, options.Dropout, random);
                adam.Step(model, gradients, ++step, options.LearningRate, options.WeightDecay);
            }

            trainLoss /= train.Rows;
            var (devLoss, devAccuracy) = dev is null ? (trainLoss, double.NaN) : Evaluate(model, dev);
            progress?.Invoke(FormattableString.Invariant($"epoch {epoch}: train loss {trainLoss:F4}") +
                (dev is null ? string.Empty : FormattableString.Invariant($", dev loss {devLoss:F4}, dev accuracy {devAccuracy:F4}")));
            if (dev is null)
            {
                continue;
            }

            if (devLoss < bestLoss - 1e-6)
            {
                bestLoss = devLoss;
                best = model.Clone();
                epochsWithoutImprovement = 0;
            }
            else if (++epochsWithoutImprovement >= options.Patience)
            {
                break;
            }
        }

        // Without a dev set there is nothing to select on: the last epoch's weights are the result.
        return (dev is null ? model : best).ToTrainedHead();
    }

    /// <summary>Mean cross-entropy and accuracy of a head on a labelled feature set.</summary>
    public static (double Loss, double Accuracy) Evaluate(TrainedHead head, FeatureSet data) => Evaluate(Parameters.From(head), data);

    private static (double Loss, double Accuracy) Evaluate(Parameters model, FeatureSet data)
    {
        var logits = model.ToTrainedHead().Logits(data.Features, data.Rows);
        double loss = 0;
        var correct = 0;
        var labelCount = model.LabelCount;
        var probabilities = new float[labelCount];
        for (var row = 0; row < data.Rows; row++)
        {
            var rowLogits = logits.AsSpan(row * labelCount, labelCount);
            TensorPrimitives.SoftMax(rowLogits, probabilities);
            loss -= Math.Log(Math.Max(probabilities[data.Labels[row]], 1e-12f));
            correct += TensorPrimitives.IndexOfMax(rowLogits) == data.Labels[row] ? 1 : 0;
        }

        return (loss / data.Rows, (double)correct / data.Rows);
    }

    /// <summary>The trainable tensors; <see cref="W1"/>/<see cref="B1"/> are empty for linear heads.</summary>
    internal sealed class Parameters
    {
        public required HeadShape Shape { get; init; }

        public required int HiddenSize { get; init; }

        public required int LabelCount { get; init; }

        public required float[] W1 { get; init; }

        public required float[] B1 { get; init; }

        public required float[] W2 { get; init; }

        public required float[] B2 { get; init; }

        public float[][] All => [W1, B1, W2, B2];

        // PyTorch's nn.Linear default: uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases.
        public static Parameters Initialize(HeadShape shape, int hidden, int labels, Random random)
        {
            var bound = 1f / MathF.Sqrt(hidden);
            float[] Uniform(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * bound)];
            var mlp = shape == HeadShape.Mlp;
            return new Parameters
            {
                Shape = shape,
                HiddenSize = hidden,
                LabelCount = labels,
                W1 = mlp ? Uniform(hidden * hidden) : [],
                B1 = mlp ? Uniform(hidden) : [],
                W2 = Uniform(labels * hidden),
                B2 = Uniform(labels),
            };
        }

        public static Parameters From(TrainedHead head) => new()
        {
            Shape = head.Shape,
            HiddenSize = head.HiddenSize,
            LabelCount = head.LabelCount,
            W1 = head.PreClassifierWeight ?? [],
            B1 = head.PreClassifierBias ?? [],
            W2 = head.ClassifierWeight,
            B2 = head.ClassifierBias,
        };

        public Parameters Clone() => new()
        {
            Shape = Shape,
            HiddenSize = HiddenSize,
            LabelCount = LabelCount,
            W1 = (float[])W1.Clone(),
            B1 = (float[])B1.Clone(),
            W2 = (float[])W2.Clone(),
            B2 = (float[])B2.Clone(),
        };

        public Parameters ZerosLike() => new()
        {
            Shape = Shape,
            HiddenSize = HiddenSize,
            LabelCount = LabelCount,
            W1 = new float[W1.Length],
            B1 = new float[B1.Length],
            W2 = new float[W2.Length],
            B2 = new float[B2.Length],
        };

        public void Clear()
        {
            foreach (var tensor in All)
            {
                Array.Clear(tensor);
            }
        }

        public TrainedHead ToTrainedHead() => Shape == HeadShape.Mlp
            ? new TrainedHead(Shape, HiddenSize, LabelCount, (float[])W1.Clone(), (float[])B1.Clone(), (float[])W2.Clone(), (float[])B2.Clone())
            : new TrainedHead(Shape, HiddenSize, LabelCount, null, null, (float[])W2.Clone(), (float[])B2.Clone());

        /// <summary>Adds the gradient of the batch's mean cross-entropy to <paramref name="gradients"/>; returns the summed loss.</summary>
        public double Backward(FeatureSet data, ReadOnlySpan<int> batch, Parameters gradients, float dropout, Random random)
        {
            var hidden = HiddenSize;
            var mlp = Shape == HeadShape.Mlp;
            var preActivation = new float[hidden];
            var activation = new float[hidden];
            var keep = new float[hidden];
            var logits = new float[LabelCount];
            var outputGradient = new float[LabelCount];
            var activationGradient = new float[hidden];
            var scale = 1f / batch.Length;
            double loss = 0;

            foreach (var row in batch)
            {
                var x = data.Row(row);
                ReadOnlySpan<float> features = x;
                if (mlp)
                {
                    TrainedHead.Dense(x, W1, B1, preActivation);
                    for (var j = 0; j < hidden; j++)
                    {
                        // Inverted dropout: keep with probability 1 - p and scale by 1 / (1 - p).
                        keep[j] = preActivation[j] > 0 && random.NextSingle() >= dropout ? 1f / (1f - dropout) : 0f;
                        activation[j] = preActivation[j] * keep[j];
                    }

                    features = activation;
                }

                TrainedHead.Dense(features, W2, B2, logits);
                TensorPrimitives.SoftMax(logits, outputGradient);
                var label = data.Labels[row];
                loss -= Math.Log(Math.Max(outputGradient[label], 1e-12f));
                outputGradient[label] -= 1f;
                TensorPrimitives.Multiply(outputGradient, scale, outputGradient);

                for (var o = 0; o < LabelCount; o++)
                {
                    var w2Gradient = gradients.W2.AsSpan(o * hidden, hidden);
                    TensorPrimitives.MultiplyAdd(features, outputGradient[o], w2Gradient, w2Gradient);
                    gradients.B2[o] += outputGradient[o];
                }

                if (!mlp)
                {
                    continue;
                }

                activationGradient.AsSpan().Clear();
                for (var o = 0; o < LabelCount; o++)
                {
                    TensorPrimitives.MultiplyAdd(W2.AsSpan(o * hidden, hidden), outputGradient[o], activationGradient, activationGradient);
                }

                TensorPrimitives.Multiply(activationGradient, keep, activationGradient);
                for (var j = 0; j < hidden; j++)
                {
                    var g = activationGradient[j];
                    if (g == 0f)
                    {
                        continue;
                    }

                    var w1Gradient = gradients.W1.AsSpan(j * hidden, hidden);
                    TensorPrimitives.MultiplyAdd(x, g, w1Gradient, w1Gradient);
                    gradients.B1[j] += g;
                }
            }

            return loss;
        }
    }

    /// <summary>AdamW (decoupled weight decay on weights, not biases).</summary>
    private sealed class AdamState(Parameters model)
    {
        private const float Beta1 = 0.9f;
        private const float Beta2 = 0.999f;
        private const float Epsilon = 1e-8f;

        private readonly float[][] _m = [.. model.All.Select(t => new float[t.Length])];
        private readonly float[][] _v = [.. model.All.Select(t => new float[t.Length])];

        public void Step(Parameters model, Parameters gradients, int step, float learningRate, float weightDecay)
        {
            var parameters = model.All;
            var grads = gradients.All;
            var correction1 = 1f - MathF.Pow(Beta1, step);
            var correction2 = 1f - MathF.Pow(Beta2, step);
            for (var t = 0; t < parameters.Length; t++)
            {
                var isWeight = t is 0 or 2;
                var p = parameters[t];
                var g = grads[t];
                var m = _m[t];
                var v = _v[t];
                for (var i = 0; i < p.Length; i++)
                {
                    m[i] = Beta1 * m[i] + (1 - Beta1) * g[i];
                    v[i] = Beta2 * v[i] + (1 - Beta2) * g[i] * g[i];
                    var update = m[i] / correction1 / (MathF.Sqrt(v[i] / correction2) + Epsilon);
                    p[i] -= learningRate * (update + (isWeight ? weightDecay * p[i] : 0f));
                }
            }
        }
    }
}
