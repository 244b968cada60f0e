"""The churn-scoring handler the demo deploys (demo/code/churn-model.zip holds this file)."""
import json
import os


def handler(event, _context):
    features = event.get("features", {})
    tenure = float(features.get("tenure_months", 12))
    score = max(0.0, min(1.0, 0.9 - tenure / 60))
    return {"statusCode": 200, "body": json.dumps({"churn": round(score, 3), "model": os.environ.get("MODEL_VERSION", "dev")})}
