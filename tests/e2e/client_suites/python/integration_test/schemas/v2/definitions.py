"""
Definitions are intended for schema definitions that are not likely to change from version to version.
If the definition is specific to a version put it in a definition file in the version package
"""

uuid = {
    "type": "string",
    "pattern": "^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$",
    "validationMessage": "is not a valid UUID",
}

https_url = {"type": "string", "format": "uri", "pattern": "^https.*", "validationMessage": "is not a valid https url"}

personalisation = {"type": "object", "validationMessage": "should contain key value pairs"}
