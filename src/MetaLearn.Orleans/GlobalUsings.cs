// The library's areas that the Orleans executor's files use, imported once for the project.
global using MetaLearn.Algorithms;
global using MetaLearn.Deployment;
global using MetaLearn.Models;
global using MetaLearn.Sampling;
global using MetaLearn.Training;
