// Registry module placeholder.
