"""The lists people keep (member directories, existing groups): reading them and searching them."""
