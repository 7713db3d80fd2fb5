"""What happens to items once they are stored, wherever they came from."""
