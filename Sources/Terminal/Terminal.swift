// Terminal module placeholder.
