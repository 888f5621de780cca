namespace ModelExport.Evaluation;

/// <summary>Precision, recall and F1 of one label, and how many examples have it.</summary>
internal sealed record LabelReport(double Precision, double Recall, double F1, int Support);
