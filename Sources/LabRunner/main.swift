print("LabRunner")
