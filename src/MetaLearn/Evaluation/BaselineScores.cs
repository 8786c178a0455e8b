namespace MetaLearn.Evaluation;

/// <summary>Query accuracies of the baselines fitted on one support set.</summary>
/// <param name="LogisticRegression">Accuracy of the L2-regularised logistic regression (C = 1 unless set).</param>
/// <param name="NearestNeighbor">Accuracy of the 1-nearest-neighbour classifier.</param>
public sealed record BaselineScores(double LogisticRegression, double NearestNeighbor);
