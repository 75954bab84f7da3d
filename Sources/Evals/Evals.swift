// Evals module placeholder.
