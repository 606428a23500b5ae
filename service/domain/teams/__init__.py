"""Teams: who belongs where, who may see what, and who covers for whom."""
