namespace ModelExport.Data;

/// <summary>One line of a labelled JSON Lines file: <c>{"id", "text", "label"}</c>.</summary>
internal sealed record LabelledExample(string Id, string Text, string Label);
