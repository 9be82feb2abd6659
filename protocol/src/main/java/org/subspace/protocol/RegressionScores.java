package org.subspace.protocol;

/**
 * Scores of a regression predictive distribution on held-out points.
 *
 * <p>Log-likelihoods are means per point. "Standardized" values are computed on the
 * standardized target; the others are in the original units of y, as the paper reports
 * them (standardized log-likelihood minus log(std_y), RMSE times std_y).
 *
 * @param testLogLikelihood moment-matched Gaussian log density, original units
 * @param mixtureLogLikelihood exact log density of the equal-weight mixture, original units
 * @param rmse root mean squared error of the predictive mean, original units
 * @param coverage95 fraction of targets inside the central 95% interval of the moment-matched Gaussian
 * @param standardizedLogLikelihood moment-matched Gaussian log density, standardized units
 * @param standardizedRmse RMSE in standardized units
 * @param points number of evaluated points
 */
public record RegressionScores(
    double testLogLikelihood,
    double mixtureLogLikelihood,
    double rmse,
    double coverage95,
    double standardizedLogLikelihood,
    double standardizedRmse,
    int points) {}
