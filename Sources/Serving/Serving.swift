// Serving module placeholder.
