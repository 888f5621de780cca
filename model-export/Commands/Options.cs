using System.CommandLine;
using ModelExport.Packaging;
using Serverless.Classifier.Model;

namespace ModelExport.Commands;

/// <summary>Options shared by several verbs.</summary>
internal static class Options
{
    public static Option<string> Model() => new("--model")
    {
        Description = "Model package folder (default: the default model, models/default).",
        DefaultValueFactory = _ => EncoderPackage.DefaultModelDirectory,
    };

    public static Option<string> ServedModel() => new("--model")
    {
        Description = "Model package folder (default: the package the service serves, models/default-int8 when the build made it, else models/default).",
        DefaultValueFactory = _ => EncoderPackage.ServedModelDirectory,
    };

    public static Option<string> Encoder() => new("--encoder")
    {
        Description = "Model package or encoder folder (encoder.onnx + vocab.txt) to compute features with (default: the default model's encoder).",
        DefaultValueFactory = _ => EncoderPackage.DefaultModelDirectory,
    };

    public static Option<string> Head() => new("--head")
    {
        Description = "Head name (default: the manifest's defaultHead).",
    };

    public static Option<string> RequiredFile(string name, string description) => new(name) { Description = description, Required = true };

    public static Option<string> File(string name, string description) => new(name) { Description = description };

    public static Option<Pooling[]> Poolings(string name, Pooling[] defaults, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaults,
        CustomParser = result =>
        {
            var poolings = new List<Pooling>();
            foreach (var value in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries)))
            {
                if (!TryParsePooling(value, out var pooling))
                {
                    result.AddError($"Unknown pooling '{value}'; expected cls, mean, max or last.");
                    return [];
                }

                poolings.Add(pooling);
            }

            return [.. poolings.Distinct()];
        },
        AllowMultipleArgumentsPerToken = true,
    };

    public static Argument<string[]> Texts() => new("text")
    {
        Description = "Texts; when none are given, each line of standard input is one text.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static bool TryParsePooling(string value, out Pooling pooling) =>
        Enum.TryParse(value.Trim(), ignoreCase: true, out pooling) && Enum.IsDefined(pooling) && !int.TryParse(value, out _);
}
