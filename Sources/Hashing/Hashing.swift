// Hashing module placeholder.
